//! `auditflow verify-export`: proves the archive is the ledger, no more and no less.
//!
//! Per chain, from the Postgres export watermark back to the first manifest: every manifest
//! is present, signed by a trusted export key, chained to its predecessor's bytes and
//! contiguous in ledger range; the newest one is the one Postgres recorded. Every file a
//! manifest lists is present with the recorded SHA-256 and row count, and its rows are the
//! ledger's rows (`chain_seq`, `id`, `content_sha256`) — each ledger row up to the
//! watermark in exactly one file. Any other object under `audit_events/` is reported.

use crate::error::ExportError;
use crate::findings::Collector;
use crate::layout::{manifest_key, watermark_key, META_DIR, TABLE_DIR};
use crate::manifest::{open_manifest, open_watermark, sha256_hex};
use crate::store::Archive;
use arrow_array::{Array, Int32Array, Int64Array, StringArray};
use auditflow_ledger::postgres::client;
use auditflow_ledger::LedgerError;
use auditflow_schemas::tamper::FindingKind;
use deadpool_postgres::Pool;
use ed25519_dalek::VerifyingKey;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;
use std::collections::{BTreeMap, BTreeSet};

pub use crate::findings::VerifyReport;

/// The rows of one archived file that matter for the comparison.
pub(crate) struct FileRows {
    pub(crate) chain_id: Vec<i32>,
    pub(crate) chain_seq: Vec<i64>,
    pub(crate) id: Vec<String>,
    pub(crate) content_sha256: Vec<String>,
}

/// Why an archived file's rows could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileRowsError {
    /// Not a Parquet file, or a corrupt one.
    #[error("parquet: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    /// A batch could not be decoded.
    #[error("arrow: {0}")]
    Arrow(#[from] arrow_schema::ArrowError),
    /// A column the archive's schema has is missing or of another type.
    #[error("{0}")]
    Schema(&'static str),
}

pub(crate) fn read_file_rows(bytes: Vec<u8>) -> Result<(usize, FileRows), FileRowsError> {
    let builder = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(bytes))?;
    let total = builder.metadata().file_metadata().num_rows() as usize;
    let schema = builder.parquet_schema();
    let wanted = ["id", "content_sha256", "chain_seq", "chain_id"];
    let indices: Vec<usize> =
        schema.columns().iter().enumerate().filter(|(_, c)| wanted.contains(&c.name())).map(|(i, _)| i).collect();
    if indices.len() != wanted.len() {
        return Err(FileRowsError::Schema("the file lacks the id / content_sha256 / chain_seq / chain_id columns"));
    }
    let mask = ProjectionMask::leaves(schema, indices);
    let reader = builder.with_projection(mask).build()?;
    let mut out = FileRows { chain_id: vec![], chain_seq: vec![], id: vec![], content_sha256: vec![] };
    for batch in reader {
        let batch = batch?;
        let col = |name: &'static str, missing: &'static str| {
            batch.column_by_name(name).ok_or(FileRowsError::Schema(missing))
        };
        let ids = col("id", "column id missing")?
            .as_any()
            .downcast_ref::<StringArray>()
            .ok_or(FileRowsError::Schema("id is not a string column"))?;
        let shas = col("content_sha256", "column content_sha256 missing")?
            .as_any()
            .downcast_ref::<StringArray>()
            .ok_or(FileRowsError::Schema("content_sha256 is not a string column"))?;
        let seqs = col("chain_seq", "column chain_seq missing")?
            .as_any()
            .downcast_ref::<Int64Array>()
            .ok_or(FileRowsError::Schema("chain_seq is not int64"))?;
        let chains = col("chain_id", "column chain_id missing")?
            .as_any()
            .downcast_ref::<Int32Array>()
            .ok_or(FileRowsError::Schema("chain_id is not int32"))?;
        for i in 0..batch.num_rows() {
            out.id.push(if ids.is_null(i) { String::new() } else { ids.value(i).to_owned() });
            out.content_sha256.push(if shas.is_null(i) { String::new() } else { shas.value(i).to_owned() });
            out.chain_seq.push(seqs.value(i));
            out.chain_id.push(chains.value(i));
        }
    }
    Ok((total, out))
}

/// Progress callback: `(files checked, files listed so far)`.
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Sync);

/// Checks the archive against the ledger (see the module docs).
pub async fn verify_export(
    pool: &Pool,
    archive: &Archive,
    trusted: &[VerifyingKey],
    progress: Progress<'_>,
) -> Result<VerifyReport, ExportError> {
    let c = client(pool).await?;
    let watermarks = c
        .query(
            "SELECT w.chain_id, w.manifest_seq, w.to_seq, w.manifest_sha256, \
                    (SELECT count(*) FROM audit_export_segments s WHERE s.chain_id = w.chain_id AND s.manifest_seq > w.manifest_seq) \
             FROM audit_export_watermarks w ORDER BY w.chain_id",
            &[],
        )
        .await
        .map_err(LedgerError::pg("read export watermarks"))?;
    let data_objects: BTreeMap<String, u64> = archive.list(TABLE_DIR).await?.into_iter().collect();
    let meta_objects: BTreeSet<String> =
        archive.list(&format!("{META_DIR}/manifests")).await?.into_iter().map(|(k, _)| k).collect();
    let mut report = VerifyReport::default();
    let mut out = Collector::default();
    let mut referenced: BTreeSet<String> = BTreeSet::new();
    let mut in_progress_prefixes: Vec<String> = Vec::new();
    let mut expected_manifests: BTreeSet<String> = BTreeSet::new();
    let total_files: u64 = data_objects.len() as u64;
    let mut files_done = 0u64;

    for wm in &watermarks {
        let (chain, last_seq, to_seq, last_sha, planned): (i32, i64, i64, Option<String>, i64) =
            (wm.get(0), wm.get(1), wm.get(2), wm.get(3), wm.get(4));
        report.chains += 1;
        if planned > 0 {
            let key = manifest_key(chain, last_seq + 1);
            report.notes.push(format!(
                "chain {chain}: segment {} is being exported (planned, not yet covered by the watermark); its objects are not checked",
                last_seq + 1
            ));
            expected_manifests.insert(key);
            in_progress_prefixes.push(format!("c{chain:04}-s{:012}-", to_seq + 1));
        }
        // archived[seq - 1] = (id, content_sha256) as found in files.
        let mut archived: Vec<Option<(String, String)>> = vec![None; to_seq.max(0) as usize];
        let mut prev_sha: Option<String> = None;
        let mut prev_to = 0i64;
        for seq in 1..=last_seq {
            let key = manifest_key(chain, seq);
            expected_manifests.insert(key.clone());
            report.manifests += 1;
            let Some(bytes) = archive.get(&key).await? else {
                out.add(
                    FindingKind::ManifestMissing,
                    &key,
                    format!("chain {chain} manifest {seq} is not in the store"),
                );
                prev_sha = None;
                continue;
            };
            let sha = sha256_hex(&bytes);
            if seq == last_seq && last_sha.as_deref() != Some(sha.as_str()) {
                out.add(
                    FindingKind::ManifestMismatch,
                    &key,
                    format!(
                        "SHA-256 {sha} differs from the {} recorded in Postgres",
                        last_sha.as_deref().unwrap_or("none")
                    ),
                );
            }
            let manifest = match open_manifest(&bytes, trusted) {
                Ok(m) => m,
                Err(e) => {
                    out.add(FindingKind::ManifestInvalid, &key, e.to_string());
                    prev_sha = Some(sha);
                    continue;
                }
            };
            if seq > 1 && prev_sha.is_some() && manifest.prev_manifest_sha256 != prev_sha {
                out.add(
                    FindingKind::ManifestChainBroken,
                    &key,
                    "prev_manifest_sha256 does not match the previous manifest's bytes",
                );
            }
            if manifest.chain_id != chain || manifest.seq != seq {
                out.add(
                    FindingKind::ManifestMisplaced,
                    &key,
                    format!("says chain {} seq {}", manifest.chain_id, manifest.seq),
                );
            }
            if manifest.from_chain_seq != prev_to + 1 && prev_to > 0 || (seq == 1 && manifest.from_chain_seq != 1) {
                out.add(
                    FindingKind::ManifestRangeGap,
                    &key,
                    format!(
                        "covers {}..={} but the previous one ended at {prev_to}",
                        manifest.from_chain_seq, manifest.to_chain_seq
                    ),
                );
            }
            let listed_rows: u64 = manifest.files.iter().map(|f| f.rows).sum();
            if listed_rows != manifest.rows
                || manifest.rows as i64 != manifest.to_chain_seq - manifest.from_chain_seq + 1
            {
                out.add(
                    FindingKind::ManifestRowCount,
                    &key,
                    format!("{} rows listed for a range of {}", listed_rows, manifest.rows),
                );
            }
            prev_to = manifest.to_chain_seq;
            prev_sha = Some(sha);
            for file in &manifest.files {
                if !referenced.insert(file.path.clone()) {
                    out.add(FindingKind::FileListedTwice, &file.path, "listed by more than one manifest");
                    continue;
                }
                files_done += 1;
                progress(files_done, total_files);
                if !data_objects.contains_key(&file.path) {
                    out.add(FindingKind::FileMissing, &file.path, format!("listed by {key} but not in the store"));
                    continue;
                }
                let Some(bytes) = archive.get(&file.path).await? else {
                    out.add(FindingKind::FileMissing, &file.path, format!("listed by {key} but not in the store"));
                    continue;
                };
                let sha = sha256_hex(&bytes);
                if sha != file.sha256 {
                    out.add(
                        FindingKind::FileHashMismatch,
                        &file.path,
                        format!("SHA-256 is {sha}, the manifest says {}", file.sha256),
                    );
                    continue;
                }
                let (total, rows) = match read_file_rows(bytes) {
                    Ok(r) => r,
                    Err(e) => {
                        out.add(FindingKind::FileUnreadable, &file.path, e.to_string());
                        continue;
                    }
                };
                if total as u64 != file.rows {
                    out.add(
                        FindingKind::FileRowCount,
                        &file.path,
                        format!("{total} rows, the manifest says {}", file.rows),
                    );
                }
                for i in 0..rows.chain_seq.len() {
                    let seq = rows.chain_seq[i];
                    let at = format!("{} row chain_id={} chain_seq={seq}", file.path, rows.chain_id[i]);
                    if rows.chain_id[i] != chain || seq < manifest.from_chain_seq || seq > manifest.to_chain_seq {
                        out.row(
                            FindingKind::RowOutOfSegment,
                            at,
                            format!("outside chain {chain} {}..={}", manifest.from_chain_seq, manifest.to_chain_seq),
                        );
                        continue;
                    }
                    let Some(slot) = archived.get_mut((seq - 1) as usize) else {
                        out.row(FindingKind::RowBeyondWatermark, at, format!("export watermark is {to_seq}"));
                        continue;
                    };
                    if slot.is_some() {
                        out.row(FindingKind::RowDuplicated, at, "the same ledger position is archived twice");
                        continue;
                    }
                    *slot = Some((rows.id[i].clone(), rows.content_sha256[i].clone()));
                    report.rows += 1;
                }
            }
        }
        if prev_to != to_seq && last_seq > 0 {
            out.add(
                FindingKind::WatermarkMismatch,
                format!("chain {chain}"),
                format!("manifests end at {prev_to}, Postgres watermark says {to_seq}"),
            );
        }
        match archive.get(&watermark_key(chain)).await? {
            Some(bytes) => match open_watermark(&bytes, trusted) {
                Ok(w) if w.manifest_seq > last_seq || (w.manifest_seq == last_seq && w.manifest_sha256 != last_sha) => out.add(
                    FindingKind::WatermarkMismatch,
                    watermark_key(chain),
                    format!("store watermark is manifest {} but Postgres says {last_seq}", w.manifest_seq),
                ),
                Ok(w) if w.manifest_seq < last_seq => report.notes.push(format!(
                    "chain {chain}: the store watermark is at manifest {}, Postgres at {last_seq}; the next run rewrites it",
                    w.manifest_seq
                )),
                Ok(_) => {}
                Err(e) => out.add(FindingKind::WatermarkInvalid, watermark_key(chain), e.to_string()),
            },
            None if last_seq > 0 => report.notes.push(format!("chain {chain}: no watermark object yet; the next run writes it")),
            None => {}
        }
        // Every ledger row up to the watermark in exactly one file (a row retention dropped
        // stays archived; the id index vouches for it).
        let ledger = auditflow_ledger::read::positions(&**c, chain, 1, to_seq).await?;
        let mut in_ledger = vec![false; archived.len()];
        for (seq, id, sha) in ledger {
            let at = format!("ledger chain_id={chain} chain_seq={seq} id={id}");
            let Some(slot) = archived.get((seq - 1) as usize) else { continue };
            in_ledger[(seq - 1) as usize] = true;
            match slot {
                None => out.row(FindingKind::RowMissing, at, "ledger row is in no archived file"),
                Some((a_id, a_sha)) if *a_id != id || *a_sha != sha => out.row(
                    FindingKind::RowContentMismatch,
                    at,
                    format!("archived as id={a_id} content_sha256={a_sha}, ledger has {sha}"),
                ),
                Some(_) => {}
            }
        }
        for (i, present) in in_ledger.iter().enumerate() {
            if !present && archived[i].is_some() {
                out.row(
                    FindingKind::RowNotInLedger,
                    format!("chain_id={chain} chain_seq={}", i + 1),
                    "archived but not in the ledger",
                );
            }
        }
    }
    for key in data_objects.keys() {
        if referenced.contains(key) {
            continue;
        }
        let name = key.rsplit('/').next().unwrap_or(key);
        if in_progress_prefixes.iter().any(|p| name.starts_with(p.as_str())) {
            continue;
        }
        out.add(FindingKind::UnexpectedObject, key, "in audit_events/ but listed by no manifest");
    }
    for key in &meta_objects {
        if !expected_manifests.contains(key) {
            out.add(
                FindingKind::UnexpectedManifest,
                key,
                "a manifest beyond the export watermark with no recorded segment",
            );
        }
    }
    report.files = referenced.len();
    out.finish(&mut report);
    Ok(report)
}
