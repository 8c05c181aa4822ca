//! `auditflow verify-archive`: an archive checked with read access to the store and the
//! export public key only, no database (issue 32), as CloudTrail's `validate-logs` checks
//! its logs. Either archive: the main Parquet one or the OCSF one.
//!
//! Per chain: the manifests are all present from the first to the newest (the store's
//! signed watermark names the newest), each signed by a trusted key, naming its
//! predecessor's SHA-256 and continuing its ledger range without gap or overlap. Every file
//! a manifest lists is present with the listed SHA-256, size and row count. Every row's
//! content hash is recomputed from its own columns; positions run without gap or repeat
//! across files; each row links to the previous position's hash; a manifest's last row is
//! the ledger head it signed. Objects no manifest lists are reported, except the files of a
//! segment being written.

mod rows;

use crate::error::ExportError;
use crate::findings::Collector;
use crate::layout::{escape_partition_value, META_DIR, TABLE_DIR};
use crate::manifest::{open_manifest, open_watermark, sha256_hex, Manifest};
use crate::store::Archive;
use crate::verify::VerifyReport;
use auditflow_schemas::tamper::FindingKind;
use ed25519_dalek::VerifyingKey;
use std::collections::{BTreeMap, BTreeSet};

/// `c0003-s000000000001-000000003000…`: the chain and range a data file's name gives.
fn range_of_name(key: &str) -> Option<(i32, i64, i64)> {
    let name = key.rsplit('/').next()?;
    let mut parts = name.strip_prefix('c')?.splitn(3, '-');
    let chain = parts.next()?.parse().ok()?;
    let from = parts.next()?.strip_prefix('s')?.parse().ok()?;
    let to = parts.next()?.get(..12)?.parse().ok()?;
    Some((chain, from, to))
}

/// `_auditflow/manifests/chain=0003/m0000000001.json` → `(3, 1)`.
fn manifest_position(key: &str) -> Option<(i32, i64)> {
    let rest = key.strip_prefix(&format!("{META_DIR}/manifests/chain="))?;
    let (chain, file) = rest.split_once('/')?;
    let seq = file.strip_prefix('m')?.strip_suffix(".json")?;
    Some((chain.parse().ok()?, seq.parse().ok()?))
}

/// A manifest as read, opened once: its key, the SHA-256 of its bytes (what its successor
/// and the watermark name), and its body or why it was refused.
struct StoredManifest {
    key: String,
    sha256: String,
    opened: Result<Manifest, crate::manifest::OpenError>,
}

/// A chain's manifests, by position.
type Stored = BTreeMap<i64, StoredManifest>;

/// Checks an archive alone (see the module docs). `zone`: only that zone's chains, so a copy
/// holding only the zone's objects verifies.
pub async fn verify_archive(
    archive: &Archive,
    trusted: &[VerifyingKey],
    zone: Option<&str>,
    progress: crate::verify::Progress<'_>,
) -> Result<VerifyReport, ExportError> {
    let mut report = VerifyReport::default();
    let mut findings = Collector::default();
    let mut stored: BTreeMap<i32, Stored> = BTreeMap::new();
    for (key, _) in archive.list(&format!("{META_DIR}/manifests")).await? {
        match manifest_position(&key) {
            Some((chain, seq)) => {
                let bytes = archive.get(&key).await?.unwrap_or_default();
                let manifest =
                    StoredManifest { sha256: sha256_hex(&bytes), opened: open_manifest(&bytes, trusted), key };
                stored.entry(chain).or_default().insert(seq, manifest);
            }
            None => findings.add(FindingKind::UnexpectedManifest, key, "not a manifest name"),
        }
    }
    // The zone's chains: those whose manifests say so, or (manifests older than the zone
    // field) whose files all lie in the zone's partition folder.
    if let Some(zone) = zone {
        let folder = format!("{TABLE_DIR}/zone_id={}/", escape_partition_value(zone));
        stored.retain(|_, manifests| {
            manifests.values().filter_map(|m| m.opened.as_ref().ok()).any(|m| match &m.zone_id {
                Some(z) => z == zone,
                None => !m.files.is_empty() && m.files.iter().all(|f| f.path.starts_with(&folder)),
            })
        });
    }
    if stored.is_empty() {
        // Nothing to vouch for: an empty or wrong location is not a clean archive.
        let what = zone.map(|z| format!(" of zone {z:?}")).unwrap_or_default();
        findings.add(
            FindingKind::ManifestMissing,
            format!("{META_DIR}/manifests"),
            format!("no manifest{what} is in the store: is the URL the archive's?"),
        );
    }
    let mut listed: BTreeSet<String> = BTreeSet::new();
    let mut newest_to: BTreeMap<i32, i64> = BTreeMap::new();
    let total_files: u64 = stored
        .values()
        .flat_map(|m| m.values())
        .filter_map(|m| m.opened.as_ref().ok())
        .map(|m| m.files.len() as u64)
        .sum();
    let mut done = 0u64;
    for (chain, manifests) in &stored {
        report.chains += 1;
        let last =
            verify_chain(archive, trusted, *chain, manifests, &mut findings, &mut report, &mut listed, &mut || {
                done += 1;
                progress(done, total_files);
            })
            .await?;
        newest_to.insert(*chain, last);
    }
    // Objects no manifest lists.
    for (key, _) in archive.list("").await? {
        if key.starts_with(&format!("{META_DIR}/")) || listed.contains(&key) {
            continue;
        }
        match range_of_name(&key) {
            Some((chain, from, _)) if newest_to.get(&chain).is_none_or(|to| from > *to) => {
                if zone.is_none() || newest_to.contains_key(&chain) {
                    report.notes.push(format!("{key}: a segment not yet finished (beyond the newest manifest)"));
                }
            }
            Some((chain, _, _)) if zone.is_some() && !newest_to.contains_key(&chain) => {}
            None if zone.is_some() => {}
            _ => findings.add(FindingKind::UnexpectedObject, key, "no manifest lists this object"),
        }
    }
    findings.finish(&mut report);
    Ok(report)
}

/// One chain: manifests, files, rows. Returns the newest position its manifests cover.
#[allow(clippy::too_many_arguments)]
async fn verify_chain(
    archive: &Archive,
    trusted: &[VerifyingKey],
    chain: i32,
    manifests: &Stored,
    findings: &mut Collector,
    report: &mut VerifyReport,
    listed: &mut BTreeSet<String>,
    tick: &mut (dyn FnMut() + Send),
) -> Result<i64, ExportError> {
    // The store's watermark names the newest manifest: a deleted newest one shows here.
    let watermark_key = crate::layout::watermark_key(chain);
    let mut newest = manifests.keys().next_back().copied().unwrap_or(0);
    match archive.get(&watermark_key).await? {
        None => findings.add(FindingKind::WatermarkInvalid, &watermark_key, "the chain's watermark object is missing"),
        Some(bytes) => match open_watermark(&bytes, trusted) {
            Err(e) => findings.add(FindingKind::WatermarkInvalid, &watermark_key, e.to_string()),
            Ok(w) => {
                let sha = manifests.get(&w.manifest_seq).map(|m| m.sha256.clone());
                if w.manifest_seq > newest {
                    newest = w.manifest_seq;
                } else if w.manifest_seq + 1 < newest {
                    findings.add(
                        FindingKind::WatermarkMismatch,
                        &watermark_key,
                        format!("names manifest {} but manifests run to {newest}", w.manifest_seq),
                    );
                } else if w.manifest_seq + 1 == newest {
                    report.notes.push(format!(
                        "chain {chain}: manifest {newest} is newer than the watermark (an export step in progress)"
                    ));
                }
                if sha.is_some() && w.manifest_sha256.is_some() && sha != w.manifest_sha256 {
                    findings.add(
                        FindingKind::WatermarkMismatch,
                        &watermark_key,
                        "the manifest it names has other bytes",
                    );
                }
            }
        },
    }
    let mut previous: Option<(&str, &Manifest)> = None;
    // The content hash of the newest position checked so far, to link the next row to.
    let mut last_link: Option<(i64, String)> = None;
    let mut last_to = 0;
    // A chain's manifests are numbered from 1.
    for seq in 1..=newest {
        let Some(StoredManifest { key, sha256, opened }) = manifests.get(&seq) else {
            let key = crate::layout::manifest_key(chain, seq);
            findings.add(
                FindingKind::ManifestMissing,
                key,
                format!("manifest {seq} of chain {chain} is not in the store"),
            );
            previous = None;
            last_link = None;
            continue;
        };
        report.manifests += 1;
        let manifest = match opened {
            Ok(m) => m,
            Err(e) => {
                findings.add(FindingKind::ManifestInvalid, key, e.to_string());
                previous = None;
                last_link = None;
                continue;
            }
        };
        if manifest.chain_id != chain || manifest.seq != seq {
            findings.add(
                FindingKind::ManifestMisplaced,
                key,
                format!("says chain {} manifest {}", manifest.chain_id, manifest.seq),
            );
        }
        match &previous {
            Some((prev_sha256, prev)) => {
                if manifest.prev_manifest_sha256.as_deref() != Some(*prev_sha256) {
                    findings.add(
                        FindingKind::ManifestChainBroken,
                        key,
                        "does not name the previous manifest's SHA-256",
                    );
                }
                if manifest.from_chain_seq != prev.to_chain_seq + 1 {
                    findings.add(
                        FindingKind::ManifestRangeGap,
                        key,
                        format!(
                            "starts at {} after a manifest ending at {}",
                            manifest.from_chain_seq, prev.to_chain_seq
                        ),
                    );
                }
            }
            None if seq > 1 => {}
            None => {
                if manifest.prev_manifest_sha256.is_some() {
                    findings.add(FindingKind::ManifestChainBroken, key, "the first manifest names a predecessor");
                }
            }
        }
        let listed_rows: u64 = manifest.files.iter().map(|f| f.rows).sum();
        let range_rows = (manifest.to_chain_seq - manifest.from_chain_seq + 1).max(0) as u64;
        if listed_rows != range_rows || manifest.rows != range_rows {
            findings.add(
                FindingKind::ManifestRowCount,
                key,
                format!("files hold {listed_rows} rows, the range {range_rows}"),
            );
        }
        let (from, to) = (manifest.from_chain_seq, manifest.to_chain_seq);
        let mut segment: Vec<Option<rows::ArchivedRow>> = vec![None; range_rows as usize];
        for file in &manifest.files {
            tick();
            report.files += 1;
            if !listed.insert(file.path.clone()) {
                findings.add(FindingKind::FileListedTwice, &file.path, "listed by more than one manifest");
            }
            let Some(bytes) = archive.get(&file.path).await? else {
                findings.add(FindingKind::FileMissing, &file.path, format!("listed by {key}"));
                continue;
            };
            if bytes.len() as u64 != file.bytes {
                findings.add(
                    FindingKind::FileSizeMismatch,
                    &file.path,
                    format!("{} bytes, {key} lists {}", bytes.len(), file.bytes),
                );
            }
            if sha256_hex(&bytes) != file.sha256 {
                findings.add(FindingKind::FileHashMismatch, &file.path, format!("SHA-256 differs from {key}"));
            }
            let rows = match rows::read(&file.path, &bytes) {
                Ok(rows) => rows,
                Err(e) => {
                    findings.add(FindingKind::FileUnreadable, &file.path, e);
                    continue;
                }
            };
            if rows.len() as u64 != file.rows {
                findings.add(
                    FindingKind::FileRowCount,
                    &file.path,
                    format!("{} rows, {key} lists {}", rows.len(), file.rows),
                );
            }
            for row in rows {
                report.rows += 1;
                let (s, id) = (row.chain_seq, Some(row.id.clone()));
                if row.chain_id != chain || s < from || s > to || s < file.min_chain_seq || s > file.max_chain_seq {
                    findings.row_at(
                        FindingKind::RowOutOfSegment,
                        chain,
                        s,
                        id,
                        format!("in {} (chain {})", file.path, row.chain_id),
                    );
                    continue;
                }
                if row.computed_sha256 != row.content_sha256 {
                    findings.row_at(
                        FindingKind::ContentMismatch,
                        chain,
                        s,
                        id.clone(),
                        format!("in {}: the row's columns do not hash to its content_sha256", file.path),
                    );
                }
                let slot = &mut segment[(s - from) as usize];
                if slot.is_some() {
                    findings.row_at(FindingKind::RowDuplicated, chain, s, id, format!("again in {}", file.path));
                } else {
                    *slot = Some(row);
                }
            }
        }
        // Positions and links, in order; across the previous manifest's last row too.
        for (i, slot) in segment.iter().enumerate() {
            let s = from + i as i64;
            match slot {
                None => {
                    findings.row_at(FindingKind::RowMissing, chain, s, None, format!("in no file of {key}"));
                    last_link = None;
                }
                Some(row) => {
                    if let Some((at, hash)) = &last_link {
                        if *at == s - 1 && row.prev_content_sha256.as_deref() != Some(hash.as_str()) {
                            findings.row_at(
                                FindingKind::ChainBreak,
                                chain,
                                s,
                                Some(row.id.clone()),
                                "prev_content_sha256 is not the previous position's content_sha256",
                            );
                        }
                    }
                    last_link = Some((s, row.content_sha256.clone()));
                }
            }
        }
        if let Some((at, hash)) = &last_link {
            if *at == to && *hash != manifest.ledger_head.content_sha256 {
                findings.add(FindingKind::ManifestMismatch, key, "its last row is not the ledger head it signed");
            }
        }
        last_to = to;
        previous = Some((sha256, manifest));
    }
    Ok(last_to)
}
