//! `auditflow verify --privileges`: does the live database still enforce append-only?
//!
//! Checks, from the catalogs, that the writer role exists, is no superuser and owns nothing
//! of the ledger; that nobody but the owner holds UPDATE, DELETE, TRUNCATE (or TRIGGER,
//! REFERENCES) on an evidence table or any of its partitions; that the writer can still
//! insert and read; that the append-only triggers exist and are enabled on every evidence
//! table and partition; and that partitions are created and dropped only through the
//! SECURITY DEFINER owner functions.

use crate::migrations::{LEDGER_TABLES, WRITER_ROLE};
use crate::postgres::client;
use crate::LedgerError;
use auditflow_schemas::tamper::{Finding, FindingKind};
use deadpool_postgres::Pool;

fn finding(kind: FindingKind, object: impl Into<String>, detail: impl Into<String>) -> Finding {
    Finding::at_object(kind, object, detail)
}

/// Privileges that would let their holder change evidence.
const CHANGING: &[&str] = &["UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES"];

/// Inspects the database behind `pool` (which must be able to read the catalogs).
pub async fn check_privileges(pool: &Pool) -> Result<Vec<Finding>, LedgerError> {
    let c = client(pool).await?;
    let mut out = Vec::new();
    let role = c
        .query_opt("SELECT rolsuper, rolbypassrls, rolcreaterole FROM pg_roles WHERE rolname = $1", &[&WRITER_ROLE])
        .await
        .map_err(LedgerError::pg("read roles"))?;
    match &role {
        None => out.push(finding(
            FindingKind::WriterRoleMissing,
            WRITER_ROLE,
            "the writer role does not exist; run `auditflow migrate`",
        )),
        Some(r) if r.get::<_, bool>(0) || r.get::<_, bool>(1) || r.get::<_, bool>(2) => out.push(finding(
            FindingKind::WriterRoleTooPowerful,
            WRITER_ROLE,
            "the writer role is a superuser, bypasses row security or creates roles: ALTER ROLE auditflow_writer NOSUPERUSER NOBYPASSRLS NOCREATEROLE",
        )),
        Some(_) => {}
    }

    // Evidence tables and every partition of audit_events.
    let tables: Vec<(String, bool)> = c
        .query(
            "SELECT c.oid::regclass::text, c.relkind = 'p' OR p.inhparent IS NULL \
             FROM pg_class c LEFT JOIN pg_inherits p ON p.inhrelid = c.oid \
             WHERE c.oid = ANY($1::text[]::regclass[]) OR p.inhparent = 'audit_events'::regclass ORDER BY 1",
            &[&LEDGER_TABLES.iter().map(|t| t.to_string()).collect::<Vec<_>>()],
        )
        .await
        .map_err(LedgerError::pg("list evidence tables"))?
        .into_iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    for (table, is_top) in &tables {
        // Explicit grants to anyone but the owner (PUBLIC included).
        let grants = c
            .query(
                "SELECT coalesce(r.rolname, 'PUBLIC'), a.privilege_type \
                 FROM pg_class c, aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a \
                 LEFT JOIN pg_roles r ON r.oid = a.grantee \
                 WHERE c.oid = $1::text::regclass AND a.grantee <> c.relowner AND a.privilege_type = ANY($2) \
                 ORDER BY 1, 2",
                &[table, &CHANGING.iter().map(|p| p.to_string()).collect::<Vec<_>>()],
            )
            .await
            .map_err(LedgerError::pg("read grants"))?;
        for g in grants {
            let (grantee, privilege): (String, String) = (g.get(0), g.get(1));
            out.push(finding(
                FindingKind::GrantTooWide,
                table.clone(),
                format!("{grantee} holds {privilege}; REVOKE {privilege} ON {table} FROM {grantee}"),
            ));
        }
        if role.is_some() {
            // Effective rights of the writer (ownership and role membership included).
            let writer = c
                .query_one(
                    "SELECT has_table_privilege($1, $2::text::regclass, 'UPDATE'), has_table_privilege($1, $2::text::regclass, 'DELETE'), \
                            has_table_privilege($1, $2::text::regclass, 'TRUNCATE'), pg_has_role($1, c.relowner, 'USAGE'), \
                            has_table_privilege($1, $2::text::regclass, 'INSERT'), has_table_privilege($1, $2::text::regclass, 'SELECT') \
                     FROM pg_class c WHERE c.oid = $2::text::regclass",
                    &[&WRITER_ROLE, table],
                )
                .await
                .map_err(LedgerError::pg("read the writer's rights"))?;
            if writer.get::<_, bool>(3) {
                out.push(finding(
                    FindingKind::GrantTooWide,
                    table.clone(),
                    format!("{WRITER_ROLE} owns {table} (or is a member of its owner), so it may change or drop it"),
                ));
            } else {
                for (i, privilege) in ["UPDATE", "DELETE", "TRUNCATE"].iter().enumerate() {
                    if writer.get::<_, bool>(i) {
                        out.push(finding(
                            FindingKind::GrantTooWide,
                            table.clone(),
                            format!("{WRITER_ROLE} may {privilege} {table} (through a role it belongs to)"),
                        ));
                    }
                }
            }
            if *is_top && !(writer.get::<_, bool>(4) && writer.get::<_, bool>(5)) {
                out.push(finding(
                    FindingKind::GrantMissing,
                    table.clone(),
                    format!("{WRITER_ROLE} lacks INSERT or SELECT; the pipeline cannot write. Run `auditflow migrate`"),
                ));
            }
        }
        // Triggers: the row trigger on every table (partitions inherit it), the TRUNCATE
        // trigger on every table and partition (statement triggers are not inherited).
        let triggers = c
            .query(
                "SELECT tgname, tgenabled::text FROM pg_trigger WHERE tgrelid = $1::text::regclass AND NOT tgisinternal \
                    OR (tgrelid = $1::text::regclass AND tgparentid <> 0)",
                &[table],
            )
            .await
            .map_err(LedgerError::pg("read triggers"))?;
        let mut wanted = vec!["auditflow_no_truncate"];
        if *is_top || table.starts_with("audit_events_") {
            wanted.push("auditflow_append_only");
        }
        for name in wanted {
            match triggers.iter().find(|t| t.get::<_, String>(0) == name) {
                None => out.push(finding(
                    FindingKind::TriggerMissing,
                    table.clone(),
                    format!("trigger {name} is missing; run `auditflow migrate` on a fresh schema or recreate it"),
                )),
                Some(t) if t.get::<_, String>(1) == "D" => out.push(finding(
                    FindingKind::TriggerDisabled,
                    table.clone(),
                    format!("trigger {name} is disabled: ALTER TABLE {table} ENABLE TRIGGER {name}"),
                )),
                Some(t) if t.get::<_, String>(1) == "R" => out.push(finding(
                    FindingKind::TriggerDisabled,
                    table.clone(),
                    format!(
                        "trigger {name} fires only in replica mode: ALTER TABLE {table} ENABLE ALWAYS TRIGGER {name}"
                    ),
                )),
                Some(_) => {}
            }
        }
    }
    // Partitions are created and dropped only through these owner functions.
    for (function, does) in [
        ("auditflow_ensure_month_partition(date)", "create tables"),
        ("auditflow_drop_month_partition(date,integer,text)", "drop tables"),
    ] {
        let found = c
            .query_opt("SELECT prosecdef FROM pg_proc WHERE oid = to_regprocedure($1)", &[&function])
            .await
            .map_err(LedgerError::pg("read functions"))?;
        match found {
            Some(f) if f.get::<_, bool>(0) => {}
            Some(_) => out.push(finding(
                FindingKind::FunctionUnsafe,
                function,
                format!("not SECURITY DEFINER: the writer would need the right to {does}"),
            )),
            None => out.push(finding(
                FindingKind::FunctionUnsafe,
                function,
                "an owner function managing partitions is missing; run `auditflow migrate`",
            )),
        }
    }
    if role.is_some() {
        let create = c
            .query_one("SELECT has_schema_privilege($1, 'public', 'CREATE')", &[&WRITER_ROLE])
            .await
            .map_err(LedgerError::pg("read schema rights"))?;
        if create.get::<_, bool>(0) {
            out.push(finding(
                FindingKind::GrantTooWide,
                "schema public",
                format!("{WRITER_ROLE} may create objects in schema public (tables or functions shadowing the ledger's): REVOKE CREATE ON SCHEMA public FROM {WRITER_ROLE} (and from PUBLIC)"),
            ));
        }
    }
    Ok(out)
}
