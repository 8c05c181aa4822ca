//! One segment of a chain: plan its range (recorded in Postgres before anything is
//! written), write its files, sign its manifest, move the watermark. Every object name and
//! byte is a function of the range and its rows, so a crash is repaired by doing the
//! recorded segment again.

use super::positions::Positions;
use super::roll::{Roll, RollPolicy};
use super::rows::read_rows;
use super::target::{Target, ZoneOfSegment};
use super::upload::UploadSink;
use super::{failpoint, ChainState, Inner};
use crate::error::ExportError;
use crate::layout::{manifest_key, watermark_key, Partition};
use crate::manifest::{sha256_hex, sign_manifest, sign_watermark, LedgerHead, Manifest, ManifestFile, Watermark};
use crate::parquet_file::{Encoder, ExportRow, CHUNK_ROWS};
use auditflow_ledger::postgres::client;
use auditflow_ledger::LedgerError;
use chrono::{DateTime, Utc};
use futures_util::{pin_mut, StreamExt};
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

/// How long a new segment waits for the standbys before the step is retried.
const STANDBY_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

impl Inner {
    pub(super) async fn load_states(&self, chains: &[i32]) -> Result<BTreeMap<i32, ChainState>, ExportError> {
        let c = client(&self.pool).await?;
        let mut states = BTreeMap::new();
        let watermarks = self.target.watermarks();
        for &chain in chains {
            self.ensure_watermark_row(&c, chain).await?;
            let row = c
                .query_one(
                    &format!(
                        "SELECT w.manifest_seq, w.to_seq, w.manifest_sha256, l.chain_seq FROM {watermarks} w \
                         JOIN audit_ingest_watermarks l ON l.sink = 'ledger' AND l.chain_id = w.chain_id \
                         WHERE w.chain_id = $1"
                    ),
                    &[&chain],
                )
                .await
                .map_err(LedgerError::pg("read export watermark"))?;
            // Repair the store's watermark if a crash came between the two watermark writes.
            self.put_store_watermark(chain, row.get(0), row.get(1), row.get(2)).await?;
            states.insert(chain, ChainState { to_seq: row.get(1), ledger_head: row.get(3), pending_since: None });
        }
        Ok(states)
    }

    /// Creates the chain's watermark row where the target creates its own (the OCSF
    /// archive, which may be switched on later): it starts at the chain's oldest row still
    /// stored.
    async fn ensure_watermark_row(&self, c: &tokio_postgres::Client, chain: i32) -> Result<(), ExportError> {
        if !self.target.creates_rows() {
            return Ok(());
        }
        let start = auditflow_ledger::read::before_oldest_stored(c, chain).await?;
        c.execute(
            &format!(
                "INSERT INTO {} (chain_id, to_seq) VALUES ($1, $2) ON CONFLICT (chain_id) DO NOTHING",
                self.target.watermarks()
            ),
            &[&chain, &start],
        )
        .await
        .map_err(LedgerError::pg("create export watermark"))?;
        Ok(())
    }

    pub(super) async fn refresh_heads(&self, states: &mut BTreeMap<i32, ChainState>) -> Result<(), ExportError> {
        let c = client(&self.pool).await?;
        let chains: Vec<i32> = states.keys().copied().collect();
        let mut heads = BTreeMap::new();
        for row in c
            .query(
                "SELECT chain_id, chain_seq FROM audit_ingest_watermarks WHERE sink = 'ledger' AND chain_id = ANY($1)",
                &[&chains],
            )
            .await
            .map_err(LedgerError::pg("read ledger heads"))?
        {
            heads.insert(row.get::<_, i32>(0), row.get::<_, i64>(1));
        }
        // Read when every commit is durable: the ledger's own heads are the truth, also
        // after a failover repaired from the stream, where a chain reported earlier may have
        // ended lower or gone.
        for (chain, s) in states.iter_mut() {
            s.ledger_head = heads.get(chain).copied().unwrap_or(s.to_seq);
        }
        Ok(())
    }

    /// Cuts and archives segments of `chain` while one is due.
    pub(super) async fn maybe_export(
        &self,
        chain: i32,
        state: &mut ChainState,
        finishing: bool,
    ) -> Result<(), ExportError> {
        loop {
            let pending = state.ledger_head - state.to_seq;
            if pending <= 0 {
                state.pending_since = None;
                return Ok(());
            }
            // Known for every pending row, not only for segments waiting out max_delay: the
            // backlog metric (and its alert) must also see a full segment the store refuses.
            if state.pending_since.is_none() {
                state.pending_since = self.commit_time(chain, state.to_seq + 1).await?;
            }
            let waited = state.pending_since.map(|t| Utc::now() - t).unwrap_or_default();
            let roll = RollPolicy::of(&self.config).decide(pending, waited.to_std().unwrap_or_default(), finishing);
            if roll == Roll::Wait {
                return Ok(());
            }
            state.to_seq = self.cycle(chain).await?.to_seq;
            state.pending_since = None;
        }
    }

    async fn commit_time(&self, chain: i32, seq: i64) -> Result<Option<DateTime<Utc>>, ExportError> {
        let c = client(&self.pool).await?;
        Ok(auditflow_ledger::read::commit_time(&**c, chain, seq).await?)
    }

    /// Plans (or resumes) the chain's next segment and archives it.
    pub(super) async fn cycle(&self, chain: i32) -> Result<Cycle, ExportError> {
        let plan = match self.plan(chain).await? {
            Planned::Segment(plan) => plan,
            Planned::UpToDate { to_seq } => return Ok(Cycle { archived: false, to_seq }),
        };
        let (from, to) = (plan.from_seq, plan.to_seq);
        tracing::debug!(chain, manifest_seq = plan.manifest_seq, from, to, "archiving segment");
        // Only what every standby holds, the rows and the segment's plan: a promoted one
        // keeps them where the archive says they are, and a resumed segment has the same
        // names and bytes (docs/reliability.md, "Postgres failover").
        auditflow_ledger::postgres::standbys::wait_for_standbys(&**client(&self.pool).await?, STANDBY_WAIT).await?;

        let (files, zone_id) = match &self.target {
            Target::Archive => self.write_segment(chain, &plan).await?,
            Target::Ocsf(ocsf) => self.write_ocsf_segment(chain, plan.from_seq, plan.to_seq, ocsf).await?,
        };
        let scope = self.target.failpoint_scope();
        failpoint(scope, "before_manifest", &self.archive, None).await;

        let c = client(&self.pool).await?;
        let (head_content_sha256, head_chain_hmac) = auditflow_ledger::read::link_at(&**c, chain, to).await?;
        // The newest signed batch head the segment reaches: anchored outside the database.
        let signed_head = c
            .query_opt(
                &format!(
                    "SELECT {} FROM audit_ledger_batches WHERE chain_id = $1 AND to_seq <= $2 ORDER BY to_seq DESC LIMIT 1",
                    auditflow_ledger::verify::BATCH_COLUMNS
                ),
                &[&chain, &to],
            )
            .await
            .map_err(LedgerError::pg("read signed head"))?
            .map(|r| auditflow_ledger::verify::signed_batch(chain, &r));
        drop(c);
        let manifest = Manifest {
            format: crate::manifest::MANIFEST_FORMAT.into(),
            chain_id: chain,
            zone_id,
            seq: plan.manifest_seq,
            prev_manifest_sha256: plan.prev_manifest_sha256.clone(),
            from_chain_seq: from,
            to_chain_seq: to,
            rows: (to - from + 1) as u64,
            ledger_head: LedgerHead { chain_seq: to, content_sha256: head_content_sha256, chain_hmac: head_chain_hmac },
            signed_head,
            planned_at: auditflow_schemas::canonical::canonical_time(&plan.planned_at),
            files: files.clone(),
            key_id: self.signer.id().to_owned(),
        };
        let bytes = sign_manifest(&self.signer, manifest);
        let manifest_sha = sha256_hex(&bytes);
        let key = manifest_key(chain, plan.manifest_seq);
        failpoint(scope, "mid_manifest", &self.archive, Some((&key, &bytes))).await;
        self.archive.put(&key, bytes).await?;
        failpoint(scope, "before_watermark", &self.archive, None).await;

        let rows: i64 = files.iter().map(|f| f.rows as i64).sum();
        let mut c = client(&self.pool).await?;
        let tx = c.transaction().await.map_err(LedgerError::pg("begin"))?;
        let (watermarks, segments) = (self.target.watermarks(), self.target.segments());
        tx.execute(
            &format!(
                "UPDATE {watermarks} SET manifest_seq = $2, to_seq = $3, manifest_sha256 = $4, \
                 rows_total = rows_total + $5, files_total = files_total + $6, updated_at = now() \
                 WHERE chain_id = $1 AND manifest_seq = $7"
            ),
            &[&chain, &plan.manifest_seq, &to, &manifest_sha, &rows, &(files.len() as i64), &(plan.manifest_seq - 1)],
        )
        .await
        .map_err(LedgerError::pg("advance export watermark"))?;
        tx.execute(
            &format!("UPDATE {segments} SET exported_at = now() WHERE chain_id = $1 AND manifest_seq = $2"),
            &[&chain, &plan.manifest_seq],
        )
        .await
        .map_err(LedgerError::pg("mark segment exported"))?;
        tx.commit().await.map_err(LedgerError::pg("commit export watermark"))?;
        // The archive is complete up to here on this chain (`auditflow_export_watermark_seq`).
        metrics::gauge!(self.target.watermark_metric(), "chain" => chain.to_string()).set(to as f64);
        failpoint(scope, "before_store_watermark", &self.archive, None).await;
        self.put_store_watermark(chain, plan.manifest_seq, to, Some(manifest_sha)).await?;

        self.stats.rows.fetch_add(rows as u64, Ordering::Relaxed);
        self.stats.files.fetch_add(files.len() as u64, Ordering::Relaxed);
        self.stats.bytes.fetch_add(files.iter().map(|f| f.bytes).sum(), Ordering::Relaxed);
        self.stats.manifests.fetch_add(1, Ordering::Relaxed);
        tracing::info!(
            target_archive = self.target.name(),
            chain,
            manifest_seq = plan.manifest_seq,
            from,
            to,
            files = files.len(),
            "segment archived"
        );
        Ok(Cycle { archived: true, to_seq: to })
    }

    /// Writes the chain's signed watermark object (after the Postgres watermark).
    async fn put_store_watermark(
        &self,
        chain: i32,
        manifest_seq: i64,
        to_chain_seq: i64,
        manifest_sha256: Option<String>,
    ) -> Result<(), ExportError> {
        if manifest_seq == 0 {
            return Ok(());
        }
        let watermark = Watermark {
            format: crate::manifest::WATERMARK_FORMAT.into(),
            chain_id: chain,
            manifest_seq,
            to_chain_seq,
            manifest_sha256,
            key_id: self.signer.id().to_owned(),
        };
        self.archive.put(&watermark_key(chain), sign_watermark(&self.signer, watermark)).await
    }

    /// The chain's next segment: the recorded plan if one exists beyond the watermark (a
    /// crash came mid-segment), else a new one, recorded before anything is written.
    async fn plan(&self, chain: i32) -> Result<Planned, ExportError> {
        let mut c = client(&self.pool).await?;
        let (watermarks, segments) = (self.target.watermarks(), self.target.segments());
        let lock =
            format!("SELECT manifest_seq, to_seq, manifest_sha256 FROM {watermarks} WHERE chain_id = $1 FOR UPDATE");
        let mut created = false;
        let (tx, wm) = loop {
            let tx = c.transaction().await.map_err(LedgerError::pg("begin"))?;
            match tx.query_opt(&lock, &[&chain]).await.map_err(LedgerError::pg("lock export watermark"))? {
                Some(wm) => break (tx, wm),
                // A chain an OCSF catch-up meets before its task did: its row is created once.
                None if !created && self.target.creates_rows() => {
                    tx.rollback().await.map_err(LedgerError::pg("rollback"))?;
                    self.ensure_watermark_row(&c, chain).await?;
                    created = true;
                }
                // The chain is not (or no longer, after a failover the repair is refilling)
                // in this database: a later attempt finds it.
                None => {
                    return Err(ExportError::Ledger(LedgerError::ChainMissing(format!(
                        "{watermarks} has no row for chain {chain} (yet)"
                    ))))
                }
            }
        };
        let (done_seq, done_to, prev_sha): (i64, i64, Option<String>) = (wm.get(0), wm.get(1), wm.get(2));
        let next = done_seq + 1;
        let recorded = tx
            .query_opt(
                &format!(
                    "SELECT from_seq, to_seq, planned_at FROM {segments} WHERE chain_id = $1 AND manifest_seq = $2"
                ),
                &[&chain, &next],
            )
            .await
            .map_err(LedgerError::pg("read segment plan"))?;
        let plan = if let Some(r) = recorded {
            tracing::info!(
                chain,
                manifest_seq = next,
                "resuming a recorded segment (an earlier run stopped mid-export)"
            );
            SegmentPlan {
                manifest_seq: next,
                from_seq: r.get(0),
                to_seq: r.get(1),
                planned_at: r.get(2),
                prev_manifest_sha256: prev_sha,
            }
        } else {
            let head: i64 = tx
                .query_one(
                    "SELECT chain_seq FROM audit_ingest_watermarks WHERE sink = 'ledger' AND chain_id = $1",
                    &[&chain],
                )
                .await
                .map_err(LedgerError::pg("read ledger head"))?
                .get(0);
            if head <= done_to {
                tx.commit().await.map_err(LedgerError::pg("commit"))?;
                return Ok(Planned::UpToDate { to_seq: done_to });
            }
            let from = done_to + 1;
            let to = head.min(done_to + self.config.target_segment_rows);
            let planned_at: DateTime<Utc> = tx
                .query_one(
                    &format!(
                        "INSERT INTO {segments} (chain_id, manifest_seq, from_seq, to_seq, planned_at) \
                         VALUES ($1, $2, $3, $4, date_trunc('milliseconds', now())) RETURNING planned_at"
                    ),
                    &[&chain, &next, &from, &to],
                )
                .await
                .map_err(LedgerError::pg("record segment plan"))?
                .get(0);
            SegmentPlan { manifest_seq: next, from_seq: from, to_seq: to, planned_at, prev_manifest_sha256: prev_sha }
        };
        tx.commit().await.map_err(LedgerError::pg("commit segment plan"))?;
        Ok(Planned::Segment(plan))
    }

    /// Streams the segment's rows out of the ledger in partition order and writes one file
    /// per partition (more when a partition passes the target size).
    async fn write_segment(
        &self,
        chain: i32,
        plan: &SegmentPlan,
    ) -> Result<(Vec<ManifestFile>, Option<String>), ExportError> {
        let (from, to) = (plan.from_seq, plan.to_seq);
        let c = client(&self.pool).await?;
        // The rows are sorted by partition in Postgres; with the default 4 MB work_mem a
        // segment's sort spills to disk and the exporter waits on it. (Session setting on a
        // pooled connection: harmless for the ledger's statements, which do not sort.)
        c.batch_execute("SET work_mem = '256MB'").await.map_err(LedgerError::pg("set work_mem"))?;
        let stream = read_rows(&c, chain, from, to).await?;
        pin_mut!(stream);
        let mut positions = Positions::new(chain, from, to);
        let mut sink = UploadSink { archive: &self.archive, chain, from, to, files: Vec::new() };
        // The open file: its partition, part number and encoder (made on first write).
        let mut open: Option<(Partition, usize, Option<Encoder>)> = None;
        let mut rows: Vec<ExportRow> = Vec::with_capacity(CHUNK_ROWS);
        let mut open_key: Option<(String, i64)> = None;
        let mut zones = ZoneOfSegment::default();
        while let Some(row) = stream.next().await {
            let row = row?;
            zones.saw(row.zone_id());
            positions.read(row.chain_seq)?;
            // Same zone and same UTC hour as the open file: no new partition.
            let hour = row.occurred_at_us.div_euclid(3_600_000_000);
            let same = open_key.as_ref().is_some_and(|(zone, h)| *h == hour && zone == row.zone_id());
            if !same {
                if let Some((p, part, encoder)) = open.take() {
                    sink.close(&p, part, encoder, &mut rows).await?;
                }
                open = Some((Partition::of(row.zone_id(), &row.occurred_at()), 0, None));
                open_key = Some((row.zone_id().to_owned(), hour));
            }
            rows.push(row);
            if rows.len() >= CHUNK_ROWS {
                if let Some((p, part, encoder)) = open.as_mut() {
                    let e = match encoder {
                        Some(e) => e,
                        None => encoder.insert(Encoder::new()?),
                    };
                    e.write(&mut rows)?;
                    if e.size() >= self.config.target_file_bytes {
                        let full = encoder.take();
                        sink.close(p, *part, full, &mut rows).await?;
                        *part += 1;
                    }
                }
            }
        }
        if let Some((p, part, encoder)) = open.take() {
            sink.close(&p, part, encoder, &mut rows).await?;
        }
        positions.all_read()?;
        let mut files = sink.files;
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok((files, zones.zone()))
    }
}

/// What [`Inner::plan`] found.
enum Planned {
    /// A segment to archive (new or resumed).
    Segment(SegmentPlan),
    /// The archive already holds the chain up to the ledger head.
    UpToDate { to_seq: i64 },
}

/// What one [`Inner::cycle`] did.
pub(super) struct Cycle {
    /// Whether a segment was archived.
    pub(super) archived: bool,
    /// The chain's export watermark afterwards.
    pub(super) to_seq: i64,
}

#[derive(Debug, Clone)]
struct SegmentPlan {
    manifest_seq: i64,
    from_seq: i64,
    to_seq: i64,
    planned_at: DateTime<Utc>,
    prev_manifest_sha256: Option<String>,
}
