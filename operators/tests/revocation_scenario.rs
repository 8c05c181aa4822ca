//! `../shared/fixtures/revocation-scenario.ndjson` through the revocation view in many
//! orders and batchings (the revocation after the violating allow, one event per epoch,
//! everything in one epoch, shuffles, two workers): the result is
//! `revocation-scenario.expected.json` every time.

use auditflow_operators::RevocationViews;
use auditflow_schemas::keyring::Keyring;
use auditflow_schemas::view::{Propagation, SharedEvent, ViewEvent, Violation};
use auditflow_schemas::wire::{decode, decode_revocation, Limits, StreamEntry};
use differential_dataflow::input::Input;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures")
}

/// The scenario's events, decoded as the pipeline decodes them, at chain positions in file
/// order.
fn scenario() -> Vec<ViewEvent> {
    let path = fixtures().join("revocation-scenario.ndjson");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (../shared beside the repo?)", path.display()));
    let ring = Keyring::single_hex("k", &"ab".repeat(32)).expect("key");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, line)| {
            let sig = ring.sign("k", line.as_bytes()).expect("sign");
            let entry = StreamEntry::new(
                &format!("{}-0", i + 1),
                vec![("data".into(), line.as_bytes().to_vec()), ("sig".into(), sig.into_bytes())],
            );
            let verified = decode(&entry, &ring, &Limits::default()).expect("fixture events are valid");
            ViewEvent::of(&verified.event, 0, i as i64 + 1)
        })
        .collect()
}

type Outcome = (BTreeMap<Propagation, isize>, BTreeMap<Violation, isize>);

/// (revocation id, root, revoked at, affected, first deny after).
type Status = (String, String, i64, Vec<String>, Option<i64>);

/// Runs the view over `batches` (one epoch each) on `workers` workers; the accumulated
/// final result.
fn run(batches: Vec<Vec<ViewEvent>>, workers: usize) -> Outcome {
    let out: Arc<Mutex<Outcome>> = Arc::default();
    let sink = out.clone();
    timely::execute(timely::Config::process(workers), move |worker| {
        let (props, viols) = (sink.clone(), sink.clone());
        let mut input = worker.dataflow::<u64, _, _>(|scope| {
            let (input, events) = scope.new_collection();
            let (propagation, violations) = events.revocation_views(5_000_000);
            propagation.inspect(move |(p, _, d)| {
                *props.lock().expect("lock").0.entry(p.clone()).or_default() += d;
            });
            violations.inspect(move |(v, _, d)| {
                *viols.lock().expect("lock").1.entry(v.clone()).or_default() += d;
            });
            input
        });
        if worker.index() == 0 {
            for (epoch, batch) in batches.iter().enumerate() {
                input.advance_to(epoch as u64);
                for e in batch {
                    input.insert(SharedEvent::new(e.clone()));
                }
            }
        }
    })
    .expect("timely");
    let mut out = std::mem::take(&mut *out.lock().expect("lock"));
    out.0.retain(|_, d| *d != 0);
    out.1.retain(|_, d| *d != 0);
    out
}

fn expected() -> serde_json::Value {
    let path = fixtures().join("revocation-scenario.expected.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("expected file")).expect("json")
}

fn time_us(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339).expect("time").timestamp_micros()
}

fn check(outcome: &Outcome, label: &str) {
    check_renamed(outcome, label, &|id| id.to_owned());
}

/// [`check`], with the expected revocation ids passed through `rename`.
fn check_renamed(outcome: &Outcome, label: &str, rename: &dyn Fn(&str) -> String) {
    let mut want = expected();
    for r in want["revocations"].as_array_mut().expect("revocations") {
        r["revocation_event_id"] = rename(r["revocation_event_id"].as_str().expect("id")).into();
    }
    for v in want["violations"].as_array_mut().expect("violations") {
        v["revocation_event_id"] = rename(v["revocation_event_id"].as_str().expect("id")).into();
    }
    let (props, viols) = outcome;
    assert!(props.values().all(|d| *d == 1), "{label}: each revocation once: {props:?}");
    assert!(viols.values().all(|d| *d == 1), "{label}: each violation once: {viols:?}");
    let got: Vec<Status> = props
        .keys()
        .map(|p| {
            (p.revocation_event_id.clone(), p.root.clone(), p.revoked_at_us, p.affected.clone(), p.first_deny_after_us)
        })
        .collect();
    let mut wanted: Vec<Status> = want["revocations"]
        .as_array()
        .expect("revocations")
        .iter()
        .map(|r| {
            (
                r["revocation_event_id"].as_str().expect("id").to_owned(),
                r["root"].as_str().expect("root").to_owned(),
                time_us(r["revoked_at"].as_str().expect("at")),
                r["affected"].as_array().expect("affected").iter().map(|a| a.as_str().expect("s").to_owned()).collect(),
                r["first_deny_after"].as_str().map(time_us),
            )
        })
        .collect();
    wanted.sort();
    assert_eq!(got, wanted, "{label}: propagation");
    let got: Vec<(String, String, String, i64)> = viols
        .keys()
        .map(|v| (v.event_id.clone(), v.agent_session_id.clone(), v.revocation_event_id.clone(), v.lag_us))
        .collect();
    let mut wanted: Vec<(String, String, String, i64)> = want["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .map(|v| {
            (
                v["event_id"].as_str().expect("id").to_owned(),
                v["agent_session_id"].as_str().expect("agent").to_owned(),
                v["revocation_event_id"].as_str().expect("rev").to_owned(),
                v["lag_seconds"].as_i64().expect("lag") * 1_000_000,
            )
        })
        .collect();
    wanted.sort();
    assert_eq!(got, wanted, "{label}: violations");
    for id in want["not_violations"].as_object().expect("not_violations").keys() {
        assert!(!viols.keys().any(|v| &v.event_id == id), "{label}: {id} is no violation");
    }
}

/// A small deterministic generator (xorshift) for shuffles and batch sizes.
struct Rng(u64);
impl Rng {
    fn next(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % bound as u64) as usize
    }
}

#[test]
fn in_file_order_in_one_epoch() {
    check(&run(vec![scenario()], 1), "file order, one epoch");
}

#[test]
fn one_event_per_epoch_in_reverse() {
    let batches = scenario().into_iter().rev().map(|e| vec![e]).collect();
    check(&run(batches, 1), "reversed, one per epoch");
}

#[test]
fn revocations_arriving_after_the_violating_allows() {
    let (revocations, rest): (Vec<ViewEvent>, Vec<ViewEvent>) =
        scenario().into_iter().partition(|e| e.event_type.ends_with("_revoked"));
    check(&run(vec![rest, revocations], 1), "revocations last, two epochs");
    let (edges, rest): (Vec<ViewEvent>, Vec<ViewEvent>) =
        scenario().into_iter().partition(|e| e.event_type == "delegation_edge_created");
    check(&run(vec![rest, edges], 1), "the delegation graph last");
}

#[test]
fn random_orders_and_batchings_on_one_and_two_workers() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for round in 0..24 {
        let mut events = scenario();
        for i in (1..events.len()).rev() {
            let j = rng.next(i + 1);
            events.swap(i, j);
        }
        let mut batches = Vec::new();
        while !events.is_empty() {
            let n = 1 + rng.next(events.len().min(5));
            batches.push(events.drain(..n).collect());
        }
        let workers = 1 + round % 2;
        check(&run(batches, workers), &format!("round {round}, {workers} worker(s)"));
    }
}

/// The scenario's revocations published on the revocation stream instead (SPEC §1:
/// `{zone_id, session_id, agent_session_id?, delegation_edge_id?, reason}`, the time being
/// the entry's stream id), decoded as the pipeline decodes them.
fn via_revocation_stream(session_only: bool) -> (Vec<ViewEvent>, BTreeMap<String, String>) {
    let ring = Keyring::single_hex("k", &"ab".repeat(32)).expect("key");
    let mut renamed = BTreeMap::new();
    let events = scenario()
        .into_iter()
        .map(|e| {
            if !e.event_type.ends_with("_revoked") {
                return e;
            }
            let mut data =
                serde_json::json!({ "zone_id": e.zone_id, "session_id": e.session_id, "reason": "offboarded" });
            match (&e.delegation_edge_id, session_only) {
                (Some(edge), _) => {
                    data["delegation_edge_id"] = edge.clone().into();
                    data["agent_session_id"] = e.agent_session_id.clone().into();
                }
                (None, false) => data["agent_session_id"] = e.agent_session_id.clone().into(),
                (None, true) => {}
            }
            let data = data.to_string();
            let mut entry = StreamEntry::new(
                &format!("{}-0", e.occurred_at_us / 1000),
                vec![
                    ("data".into(), data.clone().into_bytes()),
                    ("sig".into(), ring.sign("k", data.as_bytes()).expect("sign").into_bytes()),
                ],
            );
            entry.stream = "caracal.sessions.revoke".into();
            let verified = decode_revocation(&entry, &ring, &Limits::default()).expect("a valid revocation entry");
            renamed.insert(e.id.clone(), verified.event.id.clone());
            ViewEvent::of(&verified.event, e.chain_id, e.chain_seq)
        })
        .collect();
    (events, renamed)
}

#[test]
fn revocations_from_the_revocation_stream_give_the_same_result() {
    let (events, renamed) = via_revocation_stream(false);
    assert_eq!(renamed.len(), 2, "both revocations came through the stream");
    let rename = |id: &str| renamed.get(id).cloned().unwrap_or_else(|| id.to_owned());
    check_renamed(&run(vec![events.clone()], 1), "revocation stream, one epoch", &rename);
    let batches = events.into_iter().rev().map(|e| vec![e]).collect();
    check_renamed(&run(batches, 2), "revocation stream, reversed, two workers", &rename);
}

#[test]
fn a_revocation_naming_only_the_session_reaches_every_agent_session_it_started() {
    let (events, renamed) = via_revocation_stream(true);
    let (props, _) = run(vec![events], 1);
    let session_wide = props
        .keys()
        .find(|p| Some(&p.revocation_event_id) == renamed.get("rev-007"))
        .unwrap_or_else(|| panic!("no propagation for the session-wide revocation: {props:?}"));
    // s-1 started as-root (session_spawned); every delegation below it is reached.
    for agent in ["as-root", "as-a", "as-b", "as-c"] {
        assert!(session_wide.affected.iter().any(|a| a == agent), "{agent} not reached: {session_wide:?}");
    }
}
