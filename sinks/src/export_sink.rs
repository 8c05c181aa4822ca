//! Feeds the ledger's committed chain heads to this worker's exporter
//! ([`auditflow_archive::Exporter`]), and holds its frontier until the archive caught up.

use auditflow_archive::{ChainAdvance, ExportHandle};
use timely::container::CapacityContainerBuilder;
use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::generic::Operator;
use timely::dataflow::Stream;

/// Extension trait: `export_sink` on the ledger's stream of chain advances.
pub trait ExportSink<'scope> {
    /// Feeds committed chain heads to this worker's exporter. The returned stream carries
    /// nothing; its frontier empties once the input has ended and the exporter has archived
    /// everything the ledger committed for this worker's chains (used by
    /// `--exit-when-drained` and shutdown).
    fn export_sink(self, handle: ExportHandle) -> Stream<'scope, u64, Vec<()>>;
}

impl<'scope> ExportSink<'scope> for Stream<'scope, u64, Vec<ChainAdvance>> {
    fn export_sink(self, handle: ExportHandle) -> Stream<'scope, u64, Vec<()>> {
        let worker = self.scope().worker();
        self.unary_frontier::<CapacityContainerBuilder<Vec<()>>, _, _, _>(
            Pipeline,
            "ExportSink",
            move |initial, info| {
                let activator = worker.sync_activator_for(info.address.to_vec());
                handle.set_waker(Box::new(move || {
                    let _ = activator.activate();
                }));
                let mut held = Some(initial);
                let mut finishing = false;
                move |(input, frontier), _output| {
                    input.for_each(|_time, data| {
                        for advance in data.drain(..) {
                            handle.advance(advance);
                        }
                    });
                    if frontier.is_empty() && !finishing {
                        finishing = true;
                        handle.finish();
                    }
                    if finishing && handle.finished() {
                        // Releasing the capability empties the frontier: this worker\'s archive is done.
                        held.take();
                    }
                }
            },
        )
    }
}
