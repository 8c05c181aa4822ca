//! Where a segment's Parquet parts go: encoded chunk by chunk, each part put whole under its
//! deterministic name once it reaches the target size.

use super::failpoint;
use crate::error::ExportError;
use crate::layout::{file_name, Partition};
use crate::manifest::ManifestFile;
use crate::parquet_file::{Encoder, ExportRow};
use crate::store::Archive;

pub(super) struct UploadSink<'a> {
    pub(super) archive: &'a Archive,
    pub(super) chain: i32,
    pub(super) from: i64,
    pub(super) to: i64,
    pub(super) files: Vec<ManifestFile>,
}

impl UploadSink<'_> {
    /// Writes the buffered rows into the file, closes it and uploads it.
    pub(super) async fn close(
        &mut self,
        partition: &Partition,
        part: usize,
        encoder: Option<Encoder>,
        rows: &mut Vec<ExportRow>,
    ) -> Result<(), ExportError> {
        let mut encoder = match encoder {
            Some(e) => e,
            None if rows.is_empty() => return Ok(()),
            None => Encoder::new()?,
        };
        encoder.write(rows)?;
        let file = encoder.finish()?;
        let key = format!("{}/{}", partition.dir(), file_name(self.chain, self.from, self.to, part));
        failpoint("export", "mid_file", self.archive, Some((&key, &file.bytes))).await;
        let entry = file.manifest_entry(&key);
        self.archive.put(&key, file.bytes).await?;
        self.files.push(entry);
        Ok(())
    }
}
