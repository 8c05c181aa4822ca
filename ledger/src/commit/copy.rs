//! Binary COPY of chained rows into `audit_events`.

use super::zone_plan::ZonePlan;
use crate::row::{name_list, WRITTEN};
use auditflow_schemas::chain::ChainedRow;
use bytes::{BufMut, BytesMut};
use futures_util::pin_mut;
use std::sync::OnceLock;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{to_sql_checked, IsNull, ToSql, Type};

/// Canonical JSON text sent as `jsonb` without re-serialising (binary jsonb = version 1 + text).
#[derive(Debug)]
struct RawJsonb<'a>(&'a str);

impl ToSql for RawJsonb<'_> {
    fn to_sql(&self, _ty: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        out.put_u8(1);
        out.extend_from_slice(self.0.as_bytes());
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::JSONB
    }

    to_sql_checked!();
}

fn json(text: &Option<String>) -> Option<RawJsonb<'_>> {
    text.as_deref().map(RawJsonb)
}

/// The COPY statement: [`WRITTEN`], in the order [`copy_rows`] writes them.
fn copy_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| format!("COPY audit_events ({}) FROM STDIN BINARY", name_list(WRITTEN)))
}

fn written_types() -> &'static [Type] {
    static TYPES: OnceLock<Vec<Type>> = OnceLock::new();
    TYPES.get_or_init(|| WRITTEN.iter().map(|c| c.write_type()).collect())
}

/// COPY of the global id index; column order matches [`copy_ids`].
pub const COPY_IDS_SQL: &str =
    "COPY audit_event_ids (id, occurred_at, content_sha256, chain_id, chain_seq) FROM STDIN BINARY";

/// Streams the plans' new ids into `audit_event_ids`.
pub(super) async fn copy_ids(
    tx: &tokio_postgres::Transaction<'_>,
    plans: &[&ZonePlan<'_>],
) -> Result<u64, tokio_postgres::Error> {
    let sink = tx.copy_in(COPY_IDS_SQL).await?;
    let writer = BinaryCopyInWriter::new(sink, &[Type::TEXT, Type::TIMESTAMPTZ, Type::TEXT, Type::INT4, Type::INT8]);
    pin_mut!(writer);
    for p in plans {
        for row in &p.plan.new_rows {
            let v = &p.events[row.index];
            writer
                .as_mut()
                .write(&[&v.event.id, &v.event.occurred_at, &v.content_sha256, &p.chain_id, &row.chain_seq])
                .await?;
        }
    }
    writer.finish().await
}

/// Streams the plans' new rows (every zone of the transaction) through one binary COPY.
pub(super) async fn copy_rows(
    tx: &tokio_postgres::Transaction<'_>,
    plans: &[&ZonePlan<'_>],
) -> Result<u64, tokio_postgres::Error> {
    let sink = tx.copy_in(copy_sql()).await?;
    let writer = BinaryCopyInWriter::new(sink, written_types());
    pin_mut!(writer);
    for p in plans {
        let (chain_id, events) = (p.chain_id, p.events);
        for ChainedRow { index, chain_seq, prev_content_sha256, chain_hmac } in &p.plan.new_rows {
            let v = &events[*index];
            let e = &v.event;
            let (dp, dg, md, ex) = (
                json(&e.determining_policies_json),
                json(&e.diagnostics_json),
                json(&e.metadata_json),
                json(&e.extra_json),
            );
            // In the order of `WRITTEN`.
            writer
                .as_mut()
                .write(&[
                    &e.id,
                    &e.zone_id,
                    &e.event_type,
                    &e.request_id,
                    &e.decision,
                    &e.policy_set_id,
                    &e.policy_set_version_id,
                    &e.manifest_sha,
                    &e.evaluation_status,
                    &dp,
                    &dg,
                    &md,
                    &e.occurred_at,
                    &v.content_sha256,
                    prev_content_sha256,
                    chain_hmac,
                    chain_seq,
                    &v.producer_sig,
                    &chain_id,
                    &v.key_id,
                    &v.src_stream_id,
                    &ex,
                ])
                .await?;
        }
    }
    writer.finish().await
}

/// `INSERT … SELECT * FROM unnest($1::text[], …)` over [`WRITTEN`], one array per column.
fn insert_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        let arrays: Vec<String> = WRITTEN
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let element = match c.write_type() {
                    Type::TIMESTAMPTZ => "timestamptz",
                    Type::INT8 => "bigint",
                    Type::INT4 => "integer",
                    Type::JSONB => "jsonb",
                    _ => "text",
                };
                format!("${}::{element}[]", i + 1)
            })
            .collect();
        format!("INSERT INTO audit_events ({}) SELECT * FROM unnest({})", name_list(WRITTEN), arrays.join(", "))
    })
}

/// Inserts the plans' new rows with one `INSERT … SELECT FROM unnest(…)`, for a table with
/// row-level security (a ledger adopted from Caracal), where Postgres refuses `COPY FROM`.
/// Slower than [`copy_rows`], same rows.
pub(super) async fn insert_rows(
    tx: &tokio_postgres::Transaction<'_>,
    plans: &[&ZonePlan<'_>],
) -> Result<u64, tokio_postgres::Error> {
    let n: usize = plans.iter().map(|p| p.plan.new_rows.len()).sum();
    let mut text: [Vec<Option<&str>>; 15] = Default::default();
    let mut json_columns: [Vec<Option<RawJsonb<'_>>>; 4] = Default::default();
    let (mut times, mut seqs, mut chains) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    for p in plans {
        for ChainedRow { index, chain_seq, prev_content_sha256, chain_hmac } in &p.plan.new_rows {
            let v = &p.events[*index];
            let e = &v.event;
            let columns = [
                Some(e.id.as_str()),
                Some(e.zone_id.as_str()),
                Some(e.event_type.as_str()),
                e.request_id.as_deref(),
                e.decision.as_deref(),
                e.policy_set_id.as_deref(),
                e.policy_set_version_id.as_deref(),
                e.manifest_sha.as_deref(),
                e.evaluation_status.as_deref(),
                Some(v.content_sha256.as_str()),
                prev_content_sha256.as_deref(),
                Some(chain_hmac.as_str()),
                Some(v.producer_sig.as_str()),
                Some(v.key_id.as_str()),
                Some(v.src_stream_id.as_str()),
            ];
            for (column, value) in text.iter_mut().zip(columns) {
                column.push(value);
            }
            for (column, value) in json_columns.iter_mut().zip([
                json(&e.determining_policies_json),
                json(&e.diagnostics_json),
                json(&e.metadata_json),
                json(&e.extra_json),
            ]) {
                column.push(value);
            }
            times.push(e.occurred_at);
            seqs.push(*chain_seq);
            chains.push(p.chain_id);
        }
    }
    let [id, zone, event_type, request, decision, ps, psv, manifest, status, content, prev, hmac, sig, key, src] =
        &text;
    let [dp, dg, md, ex] = &json_columns;
    tx.execute(
        insert_sql(),
        &[
            id, zone, event_type, request, decision, ps, psv, manifest, status, dp, dg, md, &times, content, prev,
            hmac, &seqs, sig, &chains, key, src, ex,
        ],
    )
    .await
}
