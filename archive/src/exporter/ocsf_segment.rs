//! A segment of the OCSF archive: the same recorded ledger range as any segment, written as
//! one file per class and event day (more when a file passes the target size), under
//! Security Lake's partitions.

use super::positions::Positions;
use super::rows::read_rows;
use super::target::ZoneOfSegment;
use super::{failpoint, Inner};
use crate::error::ExportError;
use crate::manifest::ManifestFile;
use crate::ocsf::{file_name, partition_dir, write_ocsf, LedgerRow, OcsfClass, OcsfEncoder, OcsfTarget};
use auditflow_ledger::postgres::client;
use auditflow_ledger::LedgerError;
use futures_util::{pin_mut, StreamExt};
use std::collections::BTreeMap;

/// One open file: its class, part number and encoder.
type OpenFile = (OcsfClass, usize, OcsfEncoder);

const MICROS_PER_DAY: i64 = 86_400_000_000;

impl Inner {
    /// Streams the segment's rows out of the ledger and writes them as OCSF.
    pub(super) async fn write_ocsf_segment(
        &self,
        chain: i32,
        from: i64,
        to: i64,
        ocsf: &OcsfTarget,
    ) -> Result<(Vec<ManifestFile>, Option<String>), ExportError> {
        let c = client(&self.pool).await?;
        c.batch_execute("SET work_mem = '256MB'").await.map_err(LedgerError::pg("set work_mem"))?;
        let stream = read_rows(&c, chain, from, to).await?;
        pin_mut!(stream);
        let version = env!("CARGO_PKG_VERSION");
        let mut positions = Positions::new(chain, from, to);
        let mut zones = ZoneOfSegment::default();
        // Keyed by (event day since the epoch, class_uid): the files close in name order.
        let mut open: BTreeMap<(i64, i64), OpenFile> = BTreeMap::new();
        let mut scratch = Vec::with_capacity(4096);
        let mut files = Vec::new();
        while let Some(row) = stream.next().await {
            let row = row?;
            positions.read(row.chain_seq)?;
            zones.saw(row.zone_id());
            // The class decides the file: written into a scratch line first, then moved.
            scratch.clear();
            let class = write_ocsf(&LedgerRow::of(&row), version, &mut scratch);
            let key = (row.occurred_at_us.div_euclid(MICROS_PER_DAY), class.uid());
            let file = match open.entry(key) {
                std::collections::btree_map::Entry::Occupied(o) => o.into_mut(),
                std::collections::btree_map::Entry::Vacant(v) => {
                    v.insert((class, 0, OcsfEncoder::new(class, ocsf.format)?))
                }
            };
            file.2.buffer().extend_from_slice(&scratch);
            file.2.pushed(row.chain_seq)?;
            if file.2.size() >= self.config.target_file_bytes {
                let full = std::mem::replace(&mut file.2, OcsfEncoder::new(class, ocsf.format)?);
                files.push(self.put_ocsf_file(chain, from, to, ocsf, key, file.1, full).await?);
                file.1 += 1;
            }
        }
        for (key, (_, part, encoder)) in open {
            files.push(self.put_ocsf_file(chain, from, to, ocsf, key, part, encoder).await?);
        }
        positions.all_read()?;
        files.retain(|f: &ManifestFile| f.rows > 0);
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok((files, zones.zone()))
    }

    #[allow(clippy::too_many_arguments)]
    async fn put_ocsf_file(
        &self,
        chain: i32,
        from: i64,
        to: i64,
        ocsf: &OcsfTarget,
        (day, class_uid): (i64, i64),
        part: usize,
        encoder: OcsfEncoder,
    ) -> Result<ManifestFile, ExportError> {
        let file = encoder.finish()?;
        let date = chrono::DateTime::from_timestamp_micros(day * MICROS_PER_DAY).unwrap_or_default();
        let key = format!(
            "{}/{}",
            partition_dir(&ocsf.source, class_uid, &ocsf.region, &ocsf.account_id, &date.format("%Y%m%d").to_string()),
            file_name(chain, from, to, class_uid, part, ocsf.format)
        );
        failpoint("ocsf", "mid_file", &self.archive, Some((&key, &file.bytes))).await;
        let entry = file.manifest_entry(&key);
        if file.rows > 0 {
            self.archive.put(&key, file.bytes).await?;
        }
        Ok(entry)
    }
}
