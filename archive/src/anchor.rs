//! `auditflow verify --against-archive`: the ledger compared with what the archive's signed
//! manifests recorded.
//!
//! The archive is driven from its own signed objects (store watermark → manifests → files),
//! never from the Postgres export state, which a database superuser could rewind. For every
//! manifest signed by a trusted export key: the ledger row at its head must still carry the
//! recorded `content_sha256` and `chain_hmac`; the signed batch head it anchors must still be
//! in `audit_ledger_batches`, unchanged; and each archived row (`chain_seq`, `id`,
//! `content_sha256`) must be the ledger's row at that position. Someone holding the ledger
//! HMAC key (even the head key) but not the export key can make the ledger consistent with
//! itself, not with the archive.

use crate::error::ExportError;
use crate::layout::{manifest_key, watermark_key, META_DIR};
use crate::manifest::{open_manifest, open_watermark, sha256_hex};
use crate::store::Archive;
use crate::verify::read_file_rows;
use auditflow_ledger::postgres::client;
use auditflow_ledger::LedgerError;
use auditflow_schemas::tamper::{Finding, FindingKind};
use deadpool_postgres::Pool;
use ed25519_dalek::VerifyingKey;
use std::collections::BTreeMap;

/// Findings reported per chain at most (the count of the rest goes to the notes).
const FINDINGS_PER_CHAIN: usize = 100;

/// What the comparison found.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct AnchorReport {
    /// Chains the archive holds.
    pub chains: usize,
    /// Manifests compared.
    pub manifests: usize,
    /// Archived rows compared.
    pub rows: u64,
    /// Differences between ledger and archive.
    pub findings: Vec<Finding>,
    /// Archive problems that prevented a comparison (run `verify-export` for them), counts.
    pub notes: Vec<String>,
}

struct ChainFindings<'a> {
    chain: i32,
    found: Vec<Finding>,
    dropped: usize,
    report: &'a mut AnchorReport,
}

impl ChainFindings<'_> {
    fn add(&mut self, kind: FindingKind, seq: i64, row_id: Option<String>, detail: String) {
        if self.found.len() < FINDINGS_PER_CHAIN {
            self.found.push(Finding::at_position(kind, self.chain, seq, row_id, detail));
        } else {
            self.dropped += 1;
        }
    }

    fn done(self) {
        if self.dropped > 0 {
            self.report.notes.push(format!("chain {}: {} more differences not listed", self.chain, self.dropped));
        }
        self.report.findings.extend(self.found);
    }
}

/// Compares the ledger with the archive; `progress(done, total)` counts manifests.
pub async fn check_against_archive(
    pool: &Pool,
    archive: &Archive,
    trusted: &[VerifyingKey],
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<AnchorReport, ExportError> {
    let c = client(pool).await?;
    let mut report = AnchorReport::default();
    let mut chains: BTreeMap<i32, i64> = BTreeMap::new();
    for (key, _) in archive.list(&format!("{META_DIR}/watermarks")).await? {
        let Some(chain) = key
            .rsplit('/')
            .next()
            .and_then(|n| n.strip_prefix("chain="))
            .and_then(|n| n.strip_suffix(".json"))
            .and_then(|n| n.parse::<i32>().ok())
        else {
            continue;
        };
        let Some(bytes) = archive.get(&watermark_key(chain)).await? else { continue };
        match open_watermark(&bytes, trusted) {
            Ok(w) => {
                chains.insert(chain, w.manifest_seq);
            }
            Err(e) => report.notes.push(format!("{key}: {e}; run `auditflow verify-export`")),
        }
    }
    report.chains = chains.len();
    let total: u64 = chains.values().map(|n| *n as u64).sum();
    let mut done = 0u64;
    for (chain, last) in chains {
        let mut out = ChainFindings { chain, found: Vec::new(), dropped: 0, report: &mut report };
        for seq in 1..=last {
            done += 1;
            progress(done, total);
            let key = manifest_key(chain, seq);
            let Some(bytes) = archive.get(&key).await? else {
                out.report.notes.push(format!("{key} is missing; run `auditflow verify-export`"));
                continue;
            };
            let manifest = match open_manifest(&bytes, trusted) {
                Ok(m) => m,
                Err(e) => {
                    out.report.notes.push(format!("{key}: {e}; run `auditflow verify-export`"));
                    continue;
                }
            };
            out.report.manifests += 1;
            let head = &manifest.ledger_head;
            let row = auditflow_ledger::read::anchored_at(&**c, chain, head.chain_seq).await?;
            match row {
                None => out.add(
                    FindingKind::ArchiveMismatch,
                    head.chain_seq,
                    None,
                    format!("{key} anchors position {} but the ledger has no such row", head.chain_seq),
                ),
                // A retired head's HMAC went with its row (NULL): its hash is still compared.
                Some((id, sha, hmac))
                    if sha != head.content_sha256 || hmac.as_ref().is_some_and(|h| *h != head.chain_hmac) =>
                {
                    out.add(
                        FindingKind::ArchiveMismatch,
                        head.chain_seq,
                        Some(id),
                        format!(
                            "{key} anchors content_sha256 {} / chain_hmac {} here; the ledger row differs",
                            head.content_sha256, head.chain_hmac
                        ),
                    )
                }
                Some(_) => {}
            }
            if let Some(anchored) = &manifest.signed_head {
                let batch = c
                    .query_opt(
                        &format!(
                            "SELECT {} FROM audit_ledger_batches WHERE chain_id = $1 AND to_seq = $2",
                            auditflow_ledger::verify::BATCH_COLUMNS
                        ),
                        &[&chain, &anchored.head.to_seq],
                    )
                    .await
                    .map_err(LedgerError::pg("read an anchored batch"))?
                    .map(|r| auditflow_ledger::verify::signed_batch(chain, &r));
                let same = batch.as_ref() == Some(anchored);
                if !same {
                    out.add(
                        FindingKind::ArchiveMismatch,
                        anchored.head.from_seq,
                        None,
                        format!(
                            "{key} anchors the signed head of batch {}..={}; the ledger's batch record {}",
                            anchored.head.from_seq,
                            anchored.head.to_seq,
                            if batch.is_some() { "differs" } else { "is gone" }
                        ),
                    );
                }
            }
            // Row by row.
            let mut archived: BTreeMap<i64, (String, String)> = BTreeMap::new();
            // Positions of files that could not be read: not compared.
            let mut unreadable: Vec<(i64, i64)> = Vec::new();
            for file in &manifest.files {
                let problem = match archive.get(&file.path).await? {
                    None => Err("is missing"),
                    Some(bytes) if sha256_hex(&bytes) != file.sha256 => Err("was altered"),
                    Some(bytes) => read_file_rows(bytes).map_err(|_| "cannot be read"),
                };
                let rows = match problem {
                    Ok((_, rows)) => rows,
                    Err(why) => {
                        out.report.notes.push(format!(
                            "{} {why}; its rows were not compared (run `auditflow verify-export`)",
                            file.path
                        ));
                        unreadable.push((file.min_chain_seq, file.max_chain_seq));
                        continue;
                    }
                };
                for i in 0..rows.chain_seq.len() {
                    archived.insert(rows.chain_seq[i], (rows.id[i].clone(), rows.content_sha256[i].clone()));
                }
            }
            out.report.rows += archived.len() as u64;
            let ledger =
                auditflow_ledger::read::positions(&**c, chain, manifest.from_chain_seq, manifest.to_chain_seq).await?;
            let mut previous: Option<i64> = None;
            for (pos, id, sha) in ledger {
                let repeated = previous == Some(pos);
                previous = Some(pos);
                if unreadable.iter().any(|(lo, hi)| (*lo..=*hi).contains(&pos)) {
                    continue;
                }
                if repeated {
                    out.add(
                        FindingKind::ExtraRows,
                        pos,
                        Some(id),
                        format!("the ledger holds a second row at a position {key} archived once"),
                    );
                    continue;
                }
                match archived.remove(&pos) {
                    Some((a_id, a_sha)) if a_id == id && a_sha == sha => {}
                    Some((a_id, a_sha)) => out.add(
                        FindingKind::ArchiveMismatch,
                        pos,
                        Some(id),
                        format!("archived as id {a_id} with content_sha256 {a_sha}; the ledger row has {sha}"),
                    ),
                    None => out.add(
                        FindingKind::ExtraRows,
                        pos,
                        Some(id),
                        format!("{key} covers this position but archived no row for it"),
                    ),
                }
            }
            for (pos, (id, _)) in archived {
                out.add(
                    FindingKind::MissingRows,
                    pos,
                    Some(id),
                    format!("archived by {key}; the ledger has no row at this position"),
                );
            }
        }
        out.done();
    }
    report.findings.sort_by_key(|f| (f.position(), f.kind));
    Ok(report)
}
