//! Parsing of stream command replies into [`StreamEntry`] values.

use super::error::SourceError;
use auditflow_schemas::wire::StreamEntry;
use redis::Value;

/// The bytes of a string-like reply value, moved out of the reply: an entry's fields are
/// most of what a batch of entries weighs, so they are taken, not copied.
fn into_bytes(v: Value) -> Option<Vec<u8>> {
    match v {
        Value::BulkString(b) => Some(b),
        Value::SimpleString(s) => Some(s.into_bytes()),
        Value::Int(i) => Some(i.to_string().into_bytes()),
        _ => None,
    }
}

fn into_string(v: Value) -> Option<String> {
    into_bytes(v).and_then(|b| String::from_utf8(b).ok())
}

/// [`into_string`] of a value the caller keeps (the small replies: XPENDING, XINFO).
fn string(v: &Value) -> Option<String> {
    into_string(v.clone())
}

fn proto(op: &'static str, detail: impl Into<String>) -> SourceError {
    SourceError::Protocol { op, detail: detail.into() }
}

/// Parses a list of `[id, [field, value, …] | nil]` (entries deleted from the stream but
/// still pending come back with nil fields; they get no fields, and so a DLQ reason).
pub fn parse_entries(
    op: &'static str,
    list: Value,
    stream: &str,
    consumer: &str,
    now_ms: i64,
) -> Result<Vec<StreamEntry>, SourceError> {
    let items = match list {
        Value::Array(items) => items,
        Value::Nil => return Ok(Vec::new()),
        other => return Err(proto(op, format!("entry list is {other:?}"))),
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let Value::Array(pair) = item else { return Err(proto(op, "entry is not an array")) };
        let mut pair = pair.into_iter();
        let id = pair.next().and_then(into_string).ok_or_else(|| proto(op, "entry without id"))?;
        let mut fields = Vec::new();
        if let Some(Value::Array(kv)) = pair.next() {
            fields.reserve(kv.len() / 2);
            let mut kv = kv.into_iter();
            while let (Some(k), Some(v)) = (kv.next(), kv.next()) {
                let k = into_string(k).ok_or_else(|| proto(op, "field name is not a string"))?;
                fields.push((k, into_bytes(v).unwrap_or_default()));
            }
        }
        out.push(StreamEntry {
            stream: stream.to_owned(),
            stream_id: id,
            fields,
            deliveries: 1,
            received_at_ms: now_ms,
            consumer: consumer.to_owned(),
        });
    }
    Ok(out)
}

/// Parses an XREADGROUP reply (RESP2 `[[stream, entries]]` or RESP3 map; nil when empty).
pub fn parse_xreadgroup(
    reply: Value,
    stream: &str,
    consumer: &str,
    now_ms: i64,
) -> Result<Vec<StreamEntry>, SourceError> {
    match reply {
        Value::Nil => Ok(Vec::new()),
        Value::Array(streams) => {
            let mut out = Vec::new();
            for s in streams {
                let Value::Array(pair) = s else { return Err(proto("XREADGROUP", "stream item is not an array")) };
                if let Some(entries) = pair.into_iter().nth(1) {
                    out.extend(parse_entries("XREADGROUP", entries, stream, consumer, now_ms)?);
                }
            }
            Ok(out)
        }
        Value::Map(streams) => {
            let mut out = Vec::new();
            for (_, entries) in streams {
                out.extend(parse_entries("XREADGROUP", entries, stream, consumer, now_ms)?);
            }
            Ok(out)
        }
        other => Err(proto("XREADGROUP", format!("reply is {other:?}"))),
    }
}

/// Parses an XAUTOCLAIM reply: `(next cursor, claimed entries)`.
pub fn parse_xautoclaim(
    reply: Value,
    stream: &str,
    consumer: &str,
    now_ms: i64,
) -> Result<(String, Vec<StreamEntry>), SourceError> {
    let Value::Array(parts) = reply else { return Err(proto("XAUTOCLAIM", format!("reply is {reply:?}"))) };
    let mut parts = parts.into_iter();
    let cursor = parts.next().and_then(into_string).ok_or_else(|| proto("XAUTOCLAIM", "no cursor"))?;
    let entries = match parts.next() {
        Some(list) => parse_entries("XAUTOCLAIM", list, stream, consumer, now_ms)?,
        None => Vec::new(),
    };
    Ok((cursor, entries))
}

/// Parses the extended XPENDING reply into `(id, consumer, delivery count)`.
pub fn parse_xpending_extended(reply: &Value) -> Result<Vec<(String, String, u64)>, SourceError> {
    let Value::Array(items) = reply else { return Err(proto("XPENDING", format!("reply is {reply:?}"))) };
    items
        .iter()
        .map(|item| match item {
            Value::Array(f) if f.len() >= 4 => {
                let id = string(&f[0]).ok_or_else(|| proto("XPENDING", "id"))?;
                let consumer = string(&f[1]).ok_or_else(|| proto("XPENDING", "consumer"))?;
                let count = match &f[3] {
                    Value::Int(n) => *n as u64,
                    other => string(other).and_then(|s| s.parse().ok()).unwrap_or(1),
                };
                Ok((id, consumer, count))
            }
            _ => Err(proto("XPENDING", "item")),
        })
        .collect()
}

/// Parses the summary XPENDING reply: the number of pending entries.
pub fn parse_xpending_count(reply: &Value) -> Result<u64, SourceError> {
    match reply {
        Value::Array(parts) => match parts.first() {
            Some(Value::Int(n)) => Ok(*n as u64),
            _ => Err(proto("XPENDING", "summary without count")),
        },
        other => Err(proto("XPENDING", format!("reply is {other:?}"))),
    }
}

/// Parses `XINFO CONSUMERS` into the consumers' names (RESP2 field lists or RESP3 maps).
pub fn parse_consumer_names(reply: &Value) -> Result<Vec<String>, SourceError> {
    let Value::Array(consumers) = reply else { return Err(proto("XINFO CONSUMERS", format!("reply is {reply:?}"))) };
    consumers
        .iter()
        .map(|consumer| {
            let pairs: Vec<(&Value, &Value)> = match consumer {
                Value::Array(fields) => fields.chunks(2).filter_map(|p| Some((p.first()?, p.get(1)?))).collect(),
                Value::Map(map) => map.iter().map(|(k, v)| (k, v)).collect(),
                other => return Err(proto("XINFO CONSUMERS", format!("consumer is {other:?}"))),
            };
            pairs
                .into_iter()
                .find(|(k, _)| string(k).as_deref() == Some("name"))
                .and_then(|(_, v)| string(v))
                .ok_or_else(|| proto("XINFO CONSUMERS", "consumer without a name"))
        })
        .collect()
}
