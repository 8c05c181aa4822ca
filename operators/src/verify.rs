//! Verifies each entry's HMAC and splits valid events from dead letters.

use auditflow_schemas::keyring::Keyring;
use auditflow_schemas::wire::{decode_any, Limits, Rejection, StreamEntry};
use auditflow_schemas::{DeadLetter, Reason, VerifiedEvent};
use std::sync::Arc;
use timely::dataflow::operators::core::OkErr;
use timely::dataflow::Stream;

/// What the verify step needs.
#[derive(Clone, Debug)]
pub struct VerifySettings {
    /// Producer verify keys.
    pub keyring: Arc<Keyring>,
    /// Size limits.
    pub limits: Limits,
    /// An entry delivered more often than this is dead-lettered as
    /// `transient_exceeded_max_deliveries` instead of being tried again.
    pub max_deliveries: u64,
    /// The revocation stream (`caracal.sessions.revoke`): its entries are decoded as
    /// revocations (`wire::decode_revocation`) rather than audit events.
    pub revocation_stream: Option<String>,
}

/// Extension trait: `verify` on a stream of stream entries.
pub trait Verify<'scope> {
    /// Splits entries into verified events and dead letters (with their SPEC §2 reason).
    ///
    /// ```
    /// use auditflow_operators::{Verify, VerifySettings};
    /// use auditflow_schemas::{keyring::Keyring, wire::{Limits, StreamEntry}};
    /// use timely::dataflow::operators::{ToStream, capture::{Capture, Event}};
    /// use std::sync::Arc;
    ///
    /// let ring = Keyring::single_hex("default", &"ab".repeat(32)).unwrap();
    /// let data = r#"{"id":"e1","zone_id":"z","event_type":"t","occurred_at":"2026-11-23T06:00:00Z"}"#;
    /// let good = StreamEntry::new("1-0", vec![("data".into(), data.into()), ("sig".into(), ring.sign("default", data.as_bytes()).unwrap().into())]);
    /// let bad = StreamEntry::new("1-1", vec![("data".into(), data.into()), ("sig".into(), "00".repeat(32).into())]);
    /// let settings = VerifySettings { keyring: Arc::new(ring), limits: Limits::default(), max_deliveries: 8, revocation_stream: None };
    ///
    /// let (ok, dead) = timely::example(move |scope| {
    ///     let (ok, dead) = vec![good, bad].to_stream(scope).container::<Vec<_>>().verify(settings);
    ///     (ok.capture(), dead.capture())
    /// });
    /// let ok: Vec<_> = ok.try_iter().filter_map(|e| match e { Event::Messages(_, v) => Some(v), _ => None }).flatten().collect();
    /// let dead: Vec<_> = dead.try_iter().filter_map(|e| match e { Event::Messages(_, v) => Some(v), _ => None }).flatten().collect();
    /// assert_eq!(ok.len(), 1);
    /// assert_eq!(ok[0].event.id, "e1");
    /// assert_eq!(dead[0].reason.to_string(), "hmac_verify_failed");
    /// assert_eq!(dead[0].src_stream_id, "1-1");
    /// ```
    fn verify(
        self,
        settings: VerifySettings,
    ) -> (Stream<'scope, u64, Vec<VerifiedEvent>>, Stream<'scope, u64, Vec<DeadLetter>>);
}

/// The verdict on one entry (the operator's logic, usable on its own).
// Both variants are large and the result is moved straight into a timely container.
#[allow(clippy::result_large_err)]
pub fn verdict(entry: StreamEntry, settings: &VerifySettings) -> Result<VerifiedEvent, DeadLetter> {
    if entry.deliveries > settings.max_deliveries {
        let reason = Reason::TransientExceededMaxDeliveries(format!(
            "delivered {} times (max_deliveries = {})",
            entry.deliveries, settings.max_deliveries
        ));
        return Err(entry.dead_letter(Rejection { reason, src_id: None }));
    }
    decode_any(&entry, &settings.keyring, &settings.limits, settings.revocation_stream.as_deref())
        .map_err(|rejection| entry.dead_letter(rejection))
}

#[allow(clippy::result_large_err)]
impl<'scope> Verify<'scope> for Stream<'scope, u64, Vec<StreamEntry>> {
    fn verify(
        self,
        settings: VerifySettings,
    ) -> (Stream<'scope, u64, Vec<VerifiedEvent>>, Stream<'scope, u64, Vec<DeadLetter>>) {
        self.ok_err(move |entry| verdict(entry, &settings))
    }
}
