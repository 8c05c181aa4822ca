//! Writes the live views' updates to their tables once per completed epoch; its output
//! frontier is the written frontier. The transaction is [`auditflow_ledger::views`]'s.

use crate::epoch_sink::epoch_sink;
use auditflow_ledger::views::{write_batch, ViewRules, ViewStats, ViewUpdate};
use auditflow_ledger::Completion;
use deadpool_postgres::Pool;
use std::sync::Arc;
use timely::dataflow::Stream;

/// Extension trait: write view updates to Postgres.
pub trait ViewSink<'scope> {
    /// Writes each completed epoch's updates; the output frontier is the written frontier.
    fn view_sink(
        self,
        pool: Pool,
        stats: Arc<ViewStats>,
        rules: ViewRules,
        runtime: tokio::runtime::Handle,
    ) -> Stream<'scope, u64, Vec<()>>;
}

impl<'scope> ViewSink<'scope> for Stream<'scope, u64, Vec<ViewUpdate>> {
    fn view_sink(
        self,
        pool: Pool,
        stats: Arc<ViewStats>,
        rules: ViewRules,
        runtime: tokio::runtime::Handle,
    ) -> Stream<'scope, u64, Vec<()>> {
        epoch_sink(self, "ViewSink", move |_epoch, batch, completion: Completion<()>| {
            let (pool, stats, rules) = (pool.clone(), stats.clone(), rules.clone());
            runtime.spawn(async move {
                write_batch(&pool, &batch, &stats, &rules).await;
                completion.complete(Vec::new());
            });
        })
    }
}
