//! One signed batch head per zone a transaction appends to: the Merkle root of the rows it
//! appends, the head row's hash and HMAC, signed with the ledger head key (SPEC §3).

use super::zone_plan::ZonePlan;
use crate::LedgerError;
use auditflow_schemas::chain::{BatchPlan, LedgerKey};
use auditflow_schemas::signer::Signer;
use auditflow_schemas::tamper::{merkle_root, sha256_bytes, BatchHead};
use auditflow_schemas::VerifiedEvent;

/// The head of the rows `plan` appends (which must be non-empty), to be signed.
fn batch_head(chain_id: i32, events: &[VerifiedEvent], plan: &BatchPlan, key: &LedgerKey) -> BatchHead {
    let leaves: Vec<[u8; 32]> =
        plan.new_rows.iter().filter_map(|r| sha256_bytes(&events[r.index].content_sha256)).collect();
    let first = plan.new_rows.first().map(|r| r.chain_seq).unwrap_or(plan.head.seq);
    let last = plan.new_rows.last();
    BatchHead {
        chain_id,
        from_seq: first,
        to_seq: plan.head.seq,
        merkle_root: hex::encode(merkle_root(&leaves)),
        head_content_sha256: plan.head.content_sha256.clone().unwrap_or_default(),
        head_chain_hmac: last.map(|r| r.chain_hmac.clone()).unwrap_or_default(),
        hmac_key_id: key.id.clone(),
        committed_at_us: chrono::Utc::now().timestamp_micros(),
    }
}

/// One signed head per zone whose chain grew, in one statement.
pub(super) async fn record_batch_heads(
    key: &LedgerKey,
    head_key: &Signer,
    tx: &deadpool_postgres::Transaction<'_>,
    epoch: u64,
    planned: &[&ZonePlan<'_>],
) -> Result<(), LedgerError> {
    let heads: Vec<(BatchHead, String)> = planned
        .iter()
        .map(|p| {
            let head = batch_head(p.chain_id, p.events, &p.plan, key);
            let signature = head_key.sign_hex(&head.signed_message());
            (head, signature)
        })
        .collect();
    let mut roots = Vec::with_capacity(heads.len());
    let mut head_hashes = Vec::with_capacity(heads.len());
    let mut head_hmacs = Vec::with_capacity(heads.len());
    let mut key_ids = Vec::with_capacity(heads.len());
    for (h, _) in &heads {
        roots.push(h.merkle_root.clone());
        head_hashes.push(h.head_content_sha256.clone());
        head_hmacs.push(h.head_chain_hmac.clone());
        key_ids.push(h.hmac_key_id.clone());
    }
    let head_key_id = head_key.id().to_owned();
    let chains: Vec<i32> = heads.iter().map(|(h, _)| h.chain_id).collect();
    let from: Vec<i64> = heads.iter().map(|(h, _)| h.from_seq).collect();
    let to: Vec<i64> = heads.iter().map(|(h, _)| h.to_seq).collect();
    let committed: Vec<i64> = heads.iter().map(|(h, _)| h.committed_at_us).collect();
    let signatures: Vec<String> = heads.iter().map(|(_, s)| s.clone()).collect();
    let stmt = tx
        .prepare_cached(
            "INSERT INTO audit_ledger_batches (chain_id, from_seq, to_seq, epoch, merkle_root, \
             head_content_sha256, head_chain_hmac, hmac_key_id, committed_at_us, head_key_id, signature) \
             SELECT chain_id, from_seq, to_seq, $4, merkle_root, head_content_sha256, head_chain_hmac, \
                    hmac_key_id, committed_at_us, $10, signature \
             FROM unnest($1::integer[], $2::bigint[], $3::bigint[], $5::text[], $6::text[], $7::text[], \
                         $8::text[], $9::bigint[], $11::text[]) \
                  AS u(chain_id, from_seq, to_seq, merkle_root, head_content_sha256, head_chain_hmac, \
                       hmac_key_id, committed_at_us, signature)",
        )
        .await
        .map_err(LedgerError::pg("prepare batch heads"))?;
    tx.execute(
        &stmt,
        &[
            &chains,
            &from,
            &to,
            &(epoch as i64),
            &roots,
            &head_hashes,
            &head_hmacs,
            &key_ids,
            &committed,
            &head_key_id,
            &signatures,
        ],
    )
    .await
    .map_err(LedgerError::pg("record batch heads"))?;
    Ok(())
}
