//! One Arrow schema per OCSF class, for the Parquet files and the Glue / Athena table.
//!
//! The schema is inferred once from template events that carry every attribute the mapping
//! can write (`to_ocsf` of a row with every optional field present, and of one with none),
//! so it cannot drift from the mapping: an event with an attribute the template lacks is
//! refused by the strict decoder (a bug the tests catch), never silently cut. `unmapped`
//! is `map<string, string>`, as Security Lake's own sources have it.

use super::event::to_ocsf;
use super::map::{LedgerRow, OcsfClass};
use arrow_schema::{ArrowError, DataType, Field, Fields, Schema, SchemaRef};
use auditflow_schemas::canonical::EventFields;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

/// A representative event type per class, for the templates.
fn template_type(class: OcsfClass) -> &'static str {
    match class {
        OcsfClass::Authentication => "step_up_issued",
        OcsfClass::AuthorizeSession => "token_exchange",
        OcsfClass::EntityManagement => "delegation_edge_created",
        OcsfClass::ApiActivity => "gateway_resource_request",
    }
}

const FULL_METADATA: &str = r#"{"action":"a","agent_id":"a","agent_session_id":"a","delegation_edge_id":"e","http_method":"GET","operation":"o","resource":"r","scopes":["s"],"session_id":"s"}"#;
const FULL_POLICIES: &str = r#"[{"effect":"deny","name":"n","policy_id":"p","version":"1"}]"#;

fn template(class: OcsfClass, full: bool) -> serde_json::Value {
    let at = DateTime::<Utc>::from_timestamp(0, 0).unwrap_or_default();
    let some = |s: &'static str| if full { Some(s) } else { None };
    let row = LedgerRow {
        event: EventFields {
            id: "i",
            zone_id: "z",
            event_type: template_type(class),
            request_id: some("r"),
            decision: some("deny"),
            policy_set_id: some("p"),
            policy_set_version_id: some("v"),
            manifest_sha: some("m"),
            evaluation_status: some("e"),
            determining_policies_json: some(FULL_POLICIES),
            diagnostics_json: some("{}"),
            metadata_json: some(FULL_METADATA),
            occurred_at: at,
            extra_json: some("{}"),
        },
        ingested_at: at,
        content_sha256: "c",
        prev_content_sha256: some("p"),
        chain_hmac: "h",
        chain_seq: 1,
        chain_id: 1,
        ingest_signature: some("s"),
        key_id: some("k"),
        src_stream_id: some("1-0"),
    };
    to_ocsf(&row, "0").1
}

/// `map<string, string>`.
pub fn string_map() -> DataType {
    let entries =
        Fields::from(vec![Field::new("keys", DataType::Utf8, false), Field::new("values", DataType::Utf8, true)]);
    DataType::Map(Arc::new(Field::new("entries", DataType::Struct(entries), false)), false)
}

fn infer(class: OcsfClass) -> Result<SchemaRef, ArrowError> {
    let mut templates = vec![template(class, true), template(class, false)];
    if class == OcsfClass::Authentication {
        // Session events carry a session and no step-up flag set.
        let mut session = template(class, true);
        session["is_mfa"] = serde_json::json!(false);
        templates.push(session);
    }
    for t in &mut templates {
        if let Some(o) = t.as_object_mut() {
            o.remove("unmapped");
        }
    }
    let inferred = arrow_json::reader::infer_json_schema_from_iterator(templates.iter().map(Ok))?;
    let mut fields: Vec<Field> = inferred.fields().iter().map(|f| f.as_ref().clone()).collect();
    fields.push(Field::new("unmapped", string_map(), true));
    Ok(Arc::new(Schema::new(fields)))
}

/// The Arrow schema of a class's OCSF files.
pub fn class_schema(class: OcsfClass) -> SchemaRef {
    static SCHEMAS: OnceLock<BTreeMap<OcsfClass, SchemaRef>> = OnceLock::new();
    let schemas = SCHEMAS.get_or_init(|| {
        // The templates are constants: inference cannot fail on them (a unit test checks).
        OcsfClass::ALL.iter().map(|c| (*c, infer(*c).unwrap_or_else(|_| Arc::new(Schema::empty())))).collect()
    });
    schemas.get(&class).cloned().unwrap_or_else(|| Arc::new(Schema::empty()))
}

/// A Hive / Glue column type for an Arrow type.
fn hive_type(t: &DataType) -> String {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 => "string".into(),
        DataType::Int64 => "bigint".into(),
        DataType::Int32 => "int".into(),
        DataType::Float64 => "double".into(),
        DataType::Boolean => "boolean".into(),
        DataType::List(f) | DataType::LargeList(f) => format!("array<{}>", hive_type(f.data_type())),
        DataType::Struct(fields) => {
            let members: Vec<String> =
                fields.iter().map(|f| format!("{}:{}", f.name(), hive_type(f.data_type()))).collect();
            format!("struct<{}>", members.join(","))
        }
        DataType::Map(_, _) => "map<string,string>".into(),
        other => format!("string /* {other} */"),
    }
}

/// The `CREATE EXTERNAL TABLE` for one class's files under `location` (Athena / Glue,
/// partition projection over `region`, `accountId` and `eventDay`).
pub fn athena_ddl(class: OcsfClass, table: &str, location: &str, region: &str, account_id: &str) -> String {
    let schema = class_schema(class);
    let columns: Vec<String> =
        schema.fields().iter().map(|f| format!("  `{}` {}", f.name(), hive_type(f.data_type()))).collect();
    let location = location.trim_end_matches('/');
    format!(
        "CREATE EXTERNAL TABLE IF NOT EXISTS {table} (\n{}\n)\n\
         PARTITIONED BY (region string, accountId string, eventDay string)\n\
         STORED AS PARQUET\n\
         LOCATION '{location}/'\n\
         TBLPROPERTIES (\n\
         \x20 'projection.enabled' = 'true',\n\
         \x20 'projection.region.type' = 'enum', 'projection.region.values' = '{region}',\n\
         \x20 'projection.accountId.type' = 'enum', 'projection.accountId.values' = '{account_id}',\n\
         \x20 'projection.eventDay.type' = 'date', 'projection.eventDay.format' = 'yyyyMMdd',\n\
         \x20 'projection.eventDay.range' = '20200101,NOW',\n\
         \x20 'storage.location.template' = '{location}/region=${{region}}/accountId=${{accountId}}/eventDay=${{eventDay}}/'\n\
         );\n",
        columns.join(",\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_has_a_schema_with_the_required_attributes() {
        for class in OcsfClass::ALL {
            let schema = infer(class).expect("templates infer");
            for required in ["activity_id", "category_uid", "class_uid", "metadata", "severity_id", "time", "type_uid"]
            {
                assert!(schema.field_with_name(required).is_ok(), "{class:?} lacks {required}");
            }
            assert_eq!(schema.field_with_name("unmapped").expect("unmapped").data_type(), &string_map());
        }
    }
}
