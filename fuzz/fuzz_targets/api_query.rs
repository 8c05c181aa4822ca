//! `GET /v1/events`'s query string as the API reads it (axum's `Query`, then the filters and
//! the cursor), and a `next_cursor` given back as is: a page of filters or a 400 naming the
//! parameter; nothing panics.
#![no_main]

use auditflow_pipeline::queries::search::{follow, parse, RawQuery};
use axum::extract::Query;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(uri) = format!("/v1/events?{text}").parse::<axum::http::Uri>() {
        if let Ok(Query(raw)) = Query::<RawQuery>::try_from_uri(&uri) {
            match parse(&raw, Some(vec!["zone-1".to_owned()])) {
                Ok(_) => {}
                Err(bad) => assert!(!bad.parameter.is_empty() && !bad.message.is_empty()),
            }
        }
    }
    let mut filters = parse(&RawQuery::default(), None).expect("defaults");
    if let Err(bad) = follow(&mut filters, text) {
        assert_eq!(bad.parameter, "cursor");
    }
});
