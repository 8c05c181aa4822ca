//! The OCSF event of one row, typed and borrowed: serialized straight from the ledger row
//! into JSON text, with no `serde_json::Value` tree (which was the export's main cost,
//! docs/benchmarks.md). `map.rs` decides the class; this file is the attributes
//! (docs/ocsf.md, "Attributes").

use super::map::{severity, status, LedgerRow, OcsfClass, ENTITY_PREFIXES, OCSF_VERSION};
use auditflow_schemas::canonical::canonical_time;
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// A member of `metadata_json` or of a policy entry: kept when it is a non-empty string.
#[derive(Deserialize, Default)]
#[serde(untagged)]
enum Str<'a> {
    Text(#[serde(borrow)] Cow<'a, str>),
    Other(IgnoredAny),
    #[default]
    #[serde(skip)]
    Absent,
}

impl Str<'_> {
    fn get(&self) -> Option<&str> {
        match self {
            Str::Text(s) if !s.is_empty() => Some(s),
            _ => None,
        }
    }
}

fn first<'s>(candidates: &[&'s Str<'_>]) -> Option<&'s str> {
    candidates.iter().find_map(|s| s.get())
}

/// The members of `metadata_json` the mapping reads.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Meta<'a> {
    #[serde(borrow)]
    agent_id: Str<'a>,
    #[serde(borrow)]
    principal_id: Str<'a>,
    #[serde(borrow)]
    user_id: Str<'a>,
    #[serde(borrow)]
    agent_session_id: Str<'a>,
    #[serde(borrow)]
    session_id: Str<'a>,
    #[serde(borrow)]
    http_method: Str<'a>,
    #[serde(borrow)]
    method: Str<'a>,
    #[serde(borrow)]
    operation: Str<'a>,
    #[serde(borrow)]
    action: Str<'a>,
    #[serde(borrow)]
    resource: Str<'a>,
    #[serde(borrow)]
    delegation_edge_id: Str<'a>,
    #[serde(borrow)]
    entity_id: Str<'a>,
    #[serde(borrow)]
    policy_id: Str<'a>,
    #[serde(borrow)]
    key_id: Str<'a>,
    #[serde(borrow)]
    scopes: Scopes<'a>,
}

#[derive(Deserialize, Default)]
#[serde(untagged)]
enum Scopes<'a> {
    List(#[serde(borrow)] Vec<Str<'a>>),
    Other(IgnoredAny),
    #[default]
    #[serde(skip)]
    Absent,
}

/// One entry of `determining_policies_json`: a name, or an object.
#[derive(Deserialize)]
#[serde(untagged)]
enum PolicyEntry<'a> {
    Name(#[serde(borrow)] Cow<'a, str>),
    Object(#[serde(borrow)] PolicyObject<'a>),
    Other(IgnoredAny),
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PolicyObject<'a> {
    #[serde(borrow)]
    name: Str<'a>,
    #[serde(borrow)]
    policy: Str<'a>,
    #[serde(borrow)]
    policy_name: Str<'a>,
    #[serde(borrow)]
    uid: Str<'a>,
    #[serde(borrow)]
    policy_id: Str<'a>,
    #[serde(borrow)]
    id: Str<'a>,
    #[serde(borrow)]
    version: Str<'a>,
    #[serde(borrow)]
    effect: Str<'a>,
    #[serde(borrow)]
    decision: Str<'a>,
}

#[derive(Serialize)]
struct Named<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct Product<'a> {
    name: &'static str,
    vendor_name: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
struct Metadata<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    correlation_uid: Option<&'a str>,
    event_code: &'a str,
    log_name: &'static str,
    logged_time: i64,
    original_time: String,
    product: Product<'a>,
    sequence: i64,
    tenant_uid: &'a str,
    uid: &'a str,
    version: &'static str,
}

#[derive(Serialize, Clone, Copy)]
struct User<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(rename = "type")]
    kind: &'static str,
    type_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    uid: Option<&'a str>,
}

#[derive(Serialize, Clone, Copy)]
struct Session<'a> {
    uid: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    uid_alt: Option<&'a str>,
}

#[derive(Serialize)]
struct Policy<'a> {
    name: &'a str,
    uid: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
}

#[derive(Serialize)]
struct Authorization<'a> {
    decision: &'a str,
    policy: Policy<'a>,
}

#[derive(Serialize)]
struct Actor<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authorizations: Vec<Authorization<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    session: Option<Session<'a>>,
    user: User<'a>,
}

#[derive(Serialize)]
struct Api<'a> {
    operation: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    service: Option<Named<'a>>,
}

#[derive(Serialize)]
struct Resource<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct Endpoint {
    svc_name: &'static str,
}

#[derive(Serialize)]
struct Entity<'a> {
    name: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    uid: Option<&'a str>,
}

/// What OCSF has no place for, as text (keys in byte order).
#[derive(Serialize)]
struct Unmapped<'a> {
    chain_hmac: &'a str,
    chain_id: String,
    content_sha256: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    decision: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    determining_policies_json: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    diagnostics_json: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    evaluation_status: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extra_json: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ingest_signature: Option<&'a str>,
    ingested_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    key_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    manifest_sha: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata_json: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    policy_set_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    policy_set_version_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    prev_content_sha256: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    src_stream_id: Option<&'a str>,
}

#[derive(Serialize)]
struct Event<'a> {
    activity_id: i64,
    activity_name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    actor: Option<Actor<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    api: Option<Api<'a>>,
    category_name: &'static str,
    category_uid: i64,
    class_name: &'static str,
    class_uid: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    entity: Option<Entity<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_mfa: Option<bool>,
    metadata: Metadata<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    privileges: Option<Vec<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resources: Option<[Resource<'a>; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service: Option<Named<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    session: Option<Session<'a>>,
    severity: &'static str,
    severity_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    src_endpoint: Option<Endpoint>,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_detail: Option<&'a str>,
    status_id: i64,
    time: i64,
    type_name: String,
    type_uid: i64,
    unmapped: Unmapped<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<User<'a>>,
}

/// The event as OCSF: its class and the event object (for the schema's templates and for
/// tests; the export writes the text with [`write_ocsf`]).
pub fn to_ocsf(row: &LedgerRow<'_>, product_version: &str) -> (OcsfClass, serde_json::Value) {
    let mut text = Vec::new();
    let class = write_ocsf(row, product_version, &mut text);
    (class, serde_json::from_slice(&text).unwrap_or(serde_json::Value::Null))
}

/// Writes the row as one OCSF event (JSON text, no newline) and returns its class.
pub fn write_ocsf(row: &LedgerRow<'_>, product_version: &str, out: &mut Vec<u8>) -> OcsfClass {
    let e = &row.event;
    // Canonical JSON has no leading space: an object starts with `{` (an array would be
    // read positionally into the struct).
    let meta: Meta<'_> =
        e.metadata_json.filter(|m| m.starts_with('{')).and_then(|m| serde_json::from_str(m).ok()).unwrap_or_default();
    let policies: Vec<PolicyEntry<'_>> = e
        .determining_policies_json
        .filter(|p| p.starts_with('['))
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or_default();
    let method = first(&[&meta.http_method, &meta.method]);
    let (class, activity) = super::map::classify(e.event_type, method);
    let (category_uid, category_name) = class.category();
    let (severity_id, severity) = severity(e.decision);
    let (status_id, status) = status(e.decision);
    let activity_name = class.activity_name(activity);
    let user =
        match first(&[&meta.agent_id, &meta.principal_id, &meta.user_id, &meta.agent_session_id, &meta.session_id]) {
            Some(uid) => User { name: None, kind: "Other", type_id: 99, uid: Some(uid) },
            None => User { name: Some("unknown"), kind: "Unknown", type_id: 0, uid: None },
        };
    let session = match (meta.session_id.get(), meta.agent_session_id.get()) {
        (None, None) => None,
        (Some(s), a) => Some(Session { uid: s, uid_alt: a }),
        (None, Some(a)) => Some(Session { uid: a, uid_alt: None }),
    };
    let mut event = Event {
        activity_id: activity,
        activity_name,
        actor: None,
        api: None,
        category_name,
        category_uid,
        class_name: class.name(),
        class_uid: class.uid(),
        entity: None,
        is_mfa: None,
        metadata: Metadata {
            correlation_uid: e.request_id,
            event_code: e.event_type,
            log_name: "audit_events",
            logged_time: row.ingested_at.timestamp_millis(),
            original_time: canonical_time(&e.occurred_at),
            product: Product { name: "auditflow", vendor_name: "auditflow", version: product_version },
            sequence: row.chain_seq,
            tenant_uid: e.zone_id,
            uid: e.id,
            version: OCSF_VERSION,
        },
        privileges: None,
        resources: None,
        service: None,
        session: None,
        severity,
        severity_id,
        src_endpoint: None,
        status,
        status_detail: e.evaluation_status,
        status_id,
        time: e.occurred_at.timestamp_millis(),
        type_name: format!("{}: {}", class.name(), activity_name),
        type_uid: class.uid() * 100 + activity,
        unmapped: Unmapped {
            chain_hmac: row.chain_hmac,
            chain_id: row.chain_id.to_string(),
            content_sha256: row.content_sha256,
            decision: e.decision,
            determining_policies_json: e.determining_policies_json,
            diagnostics_json: e.diagnostics_json,
            evaluation_status: e.evaluation_status,
            extra_json: e.extra_json,
            ingest_signature: row.ingest_signature,
            ingested_at: canonical_time(&row.ingested_at),
            key_id: row.key_id,
            manifest_sha: e.manifest_sha,
            metadata_json: e.metadata_json,
            policy_set_id: e.policy_set_id,
            policy_set_version_id: e.policy_set_version_id,
            prev_content_sha256: row.prev_content_sha256,
            src_stream_id: row.src_stream_id,
        },
        user: None,
    };
    match class {
        OcsfClass::Authentication => {
            event.user = Some(user);
            // 3002 needs a service or a destination: the service that authenticated.
            event.service = Some(Named { name: "caracal" });
            event.is_mfa = Some(e.event_type.starts_with("step_up_"));
            event.session = session;
            event.actor = Some(actor(user, session, row, &policies));
        }
        OcsfClass::AuthorizeSession => {
            event.user = Some(user);
            event.session = session;
            // 3003 needs exactly one of privileges and group: the scopes asked for, else the
            // resource, else none known.
            event.privileges = Some(match &meta.scopes {
                Scopes::List(scopes) => scopes
                    .iter()
                    .filter_map(|s| match s {
                        Str::Text(t) => Some(t.as_ref()),
                        _ => None,
                    })
                    .collect(),
                _ => meta.resource.get().into_iter().collect(),
            });
        }
        OcsfClass::EntityManagement => {
            let kind = ENTITY_PREFIXES
                .iter()
                .find(|p| e.event_type.starts_with(*p))
                .map(|p| p.trim_end_matches(['_', '.']))
                .unwrap_or("entity");
            let kind = if kind == "delegation" { "delegation_edge" } else { kind };
            let uid =
                first(&[&meta.delegation_edge_id, &meta.entity_id, &meta.policy_id, &meta.agent_id, &meta.key_id]);
            event.entity = Some(Entity { name: kind, kind, uid });
        }
        OcsfClass::ApiActivity => {
            event.actor = Some(actor(user, session, row, &policies));
            let resource = meta.resource.get();
            event.api = Some(Api {
                operation: first(&[&meta.operation, &meta.action]).unwrap_or(e.event_type),
                service: resource.map(|name| Named { name }),
            });
            event.resources = resource.map(|name| [Resource { name, kind: "resource" }]);
            let service = if e.event_type.starts_with("gateway_") {
                "caracal-gateway"
            } else if e.event_type.starts_with("control") {
                "caracal-coordinator"
            } else {
                "caracal"
            };
            event.src_endpoint = Some(Endpoint { svc_name: service });
        }
    }
    // Plain structs of strings and integers: serializing into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, &event);
    class
}

/// `actor`, with the determining policies as `authorizations` (classes that have `actor`).
fn actor<'a>(
    user: User<'a>,
    session: Option<Session<'a>>,
    row: &LedgerRow<'a>,
    policies: &'a [PolicyEntry<'a>],
) -> Actor<'a> {
    let e = &row.event;
    let mut authorizations = Vec::new();
    for p in policies {
        let (name, uid, version, decision) = match p {
            PolicyEntry::Name(n) => (Some(n.as_ref()).filter(|n| !n.is_empty()), None, None, None),
            PolicyEntry::Object(o) => (
                first(&[&o.name, &o.policy, &o.policy_name]),
                first(&[&o.uid, &o.policy_id, &o.id]),
                o.version.get(),
                first(&[&o.effect, &o.decision]),
            ),
            PolicyEntry::Other(_) => continue,
        };
        let Some(uid) = uid.or(name) else { continue };
        authorizations.push(Authorization {
            decision: decision.or(e.decision).unwrap_or("unknown"),
            policy: Policy { name: name.unwrap_or(uid), uid, version: version.or(e.policy_set_version_id) },
        });
    }
    if authorizations.is_empty() {
        if let (Some(decision), Some(set)) = (e.decision, e.policy_set_id) {
            authorizations.push(Authorization {
                decision,
                policy: Policy { name: set, uid: set, version: e.policy_set_version_id },
            });
        }
    }
    Actor { authorizations, session, user }
}
