//! The checks every string field of the wire format passes: present where required, a
//! string, not empty where required, and within its length bound in characters.

use crate::Reason;
use serde_json::Value;

pub(super) fn required_str(value: Option<Value>, field: &str, max: usize) -> Result<String, Reason> {
    match value {
        None | Some(Value::Null) => Err(Reason::schema(field, "required")),
        Some(Value::String(s)) => {
            check_required(&s, field, max)?;
            Ok(s)
        }
        Some(_) => Err(Reason::schema(field, "must be a string")),
    }
}

pub(super) fn check_required(s: &str, field: &str, max: usize) -> Result<(), Reason> {
    if s.is_empty() {
        return Err(Reason::schema(field, "must not be empty"));
    }
    check_len(s, field, max)
}

fn check_len(s: &str, field: &str, max: usize) -> Result<(), Reason> {
    // Bytes bound characters from above: only a long string needs counting.
    if s.len() > max && s.chars().count() > max {
        return Err(Reason::schema(field, format!("longer than {max} characters")));
    }
    Ok(())
}

pub(super) fn optional_str(value: Option<Value>, field: &str, max: usize) -> Result<Option<String>, Reason> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            check_len(&s, field, max)?;
            Ok(Some(s))
        }
        Some(_) => Err(Reason::schema(field, "must be a string")),
    }
}
