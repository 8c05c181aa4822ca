//! One OCSF file in memory: Parquet (zstd, the class's schema) or gzip JSON lines. Bytes
//! depend only on the events, so a repaired segment writes identical objects.

use super::map::OcsfClass;
use super::schema::class_schema;
use crate::parquet_file::EncodedFile;
use arrow_json::reader::Decoder;
use flate2::write::GzEncoder;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::errors::ParquetError;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use std::io::Write;

/// The OCSF archive's file format (`AUDITFLOW_OCSF_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OcsfFormat {
    /// Parquet, zstd: Security Lake, Athena, DuckDB.
    #[default]
    Parquet,
    /// Gzip JSON lines: Sentinel's S3 connector, Google SecOps.
    JsonGz,
}

impl OcsfFormat {
    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            OcsfFormat::Parquet => "parquet",
            OcsfFormat::JsonGz => "json.gz",
        }
    }

    /// Parses `parquet` or `json-gz`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "parquet" => Some(OcsfFormat::Parquet),
            "json-gz" => Some(OcsfFormat::JsonGz),
            _ => None,
        }
    }
}

/// Bytes of JSON lines handed to the compressor at a time.
const JSON_CHUNK: usize = 256 << 10;

/// Events handed to the Parquet writer at a time.
const CHUNK: usize = 2048;

enum Body {
    /// Events gather as JSON lines and reach the Arrow decoder as bytes: its tokenizer is
    /// faster than serializing values into it.
    Parquet { writer: Box<ArrowWriter<Vec<u8>>>, decoder: Box<Decoder>, buffered: Vec<u8>, pending: usize },
    /// Lines gather in `lines` and reach the compressor in large writes: flate2 does work
    /// per write (it zeroes its output buffer), which a write per JSON token multiplied.
    Json { gz: GzEncoder<Vec<u8>>, lines: Vec<u8> },
}

/// Encodes one class's events, in file order, into one file.
pub struct OcsfEncoder {
    body: Body,
    rows: usize,
    seq_range: (i64, i64),
}

fn external(e: impl std::error::Error + Send + Sync + 'static) -> ParquetError {
    ParquetError::External(Box::new(e))
}

impl OcsfEncoder {
    /// An empty file of `class` in `format`.
    pub fn new(class: OcsfClass, format: OcsfFormat) -> Result<Self, ParquetError> {
        let body = match format {
            OcsfFormat::Parquet => {
                let schema = class_schema(class);
                let props = WriterProperties::builder()
                    .set_compression(Compression::ZSTD(ZstdLevel::try_new(1).unwrap_or_default()))
                    .set_max_row_group_size(crate::parquet_file::ROW_GROUP_ROWS)
                    .set_statistics_enabled(EnabledStatistics::Chunk)
                    .set_created_by("auditflow".into())
                    .build();
                let decoder = arrow_json::ReaderBuilder::new(schema.clone())
                    .with_strict_mode(true)
                    .with_batch_size(CHUNK)
                    .build_decoder()
                    .map_err(external)?;
                Body::Parquet {
                    writer: Box::new(ArrowWriter::try_new(Vec::new(), schema, Some(props))?),
                    decoder: Box::new(decoder),
                    buffered: Vec::with_capacity(CHUNK * 2048),
                    pending: 0,
                }
            }
            OcsfFormat::JsonGz => Body::Json {
                gz: GzEncoder::new(Vec::new(), flate2::Compression::fast()),
                lines: Vec::with_capacity(JSON_CHUNK + 4096),
            },
        };
        Ok(OcsfEncoder { body, rows: 0, seq_range: (i64::MAX, i64::MIN) })
    }

    /// Where the next event's JSON text goes ([`super::event::write_ocsf`]); then
    /// [`OcsfEncoder::pushed`].
    pub fn buffer(&mut self) -> &mut Vec<u8> {
        match &mut self.body {
            Body::Parquet { buffered, .. } => buffered,
            Body::Json { lines, .. } => lines,
        }
    }

    /// The event at ledger position `seq` was written into [`OcsfEncoder::buffer`].
    pub fn pushed(&mut self, seq: i64) -> Result<(), ParquetError> {
        self.rows += 1;
        self.seq_range = (self.seq_range.0.min(seq), self.seq_range.1.max(seq));
        match &mut self.body {
            Body::Parquet { buffered, pending, .. } => {
                buffered.push(b'\n');
                *pending += 1;
                if *pending >= CHUNK {
                    self.flush()?;
                }
            }
            Body::Json { gz, lines } => {
                lines.push(b'\n');
                if lines.len() >= JSON_CHUNK {
                    gz.write_all(lines).map_err(external)?;
                    lines.clear();
                }
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), ParquetError> {
        if let Body::Parquet { writer, decoder, buffered, pending } = &mut self.body {
            let mut offset = 0;
            while offset < buffered.len() {
                let read = decoder.decode(&buffered[offset..]).map_err(external)?;
                offset += read;
                match decoder.flush().map_err(external)? {
                    Some(batch) => writer.write(&batch)?,
                    None if read == 0 => break,
                    None => {}
                }
            }
            buffered.clear();
            *pending = 0;
        }
        Ok(())
    }

    /// Encoded bytes so far (about).
    pub fn size(&self) -> usize {
        match &self.body {
            Body::Parquet { writer, .. } => writer.bytes_written() + writer.in_progress_size(),
            Body::Json { gz, lines } => gz.get_ref().len() + lines.len() / 8,
        }
    }

    /// Closes the file.
    pub fn finish(mut self) -> Result<EncodedFile, ParquetError> {
        self.flush()?;
        let (rows, seq_range) = (self.rows, self.seq_range);
        let bytes = match self.body {
            Body::Parquet { writer, .. } => writer.into_inner()?,
            Body::Json { mut gz, lines } => {
                gz.write_all(&lines).map_err(external)?;
                gz.finish().map_err(external)?
            }
        };
        Ok(EncodedFile { bytes, rows, seq_range })
    }
}
