//! The frontier-driven commit operator shared by the ledger, DLQ and views sinks.

use auditflow_ledger::Completion;
use std::collections::BTreeMap;
use timely::container::CapacityContainerBuilder;
use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::generic::Operator;
use timely::dataflow::operators::Capability;
use timely::dataflow::Stream;

/// Builds a sink operator named `name`. `submit` is called on the worker thread with the
/// latest complete time and every record whose time the input frontier has passed (one call at a time: the next batch is
/// submitted only after the previous one completed, which keeps commits in order and lets
/// batches grow under load). Its output frontier is the durable frontier.
pub fn epoch_sink<'scope, D, O, F>(
    stream: Stream<'scope, u64, Vec<D>>,
    name: &str,
    mut submit: F,
) -> Stream<'scope, u64, Vec<O>>
where
    D: Clone + 'static,
    O: Clone + Send + 'static,
    F: FnMut(u64, Vec<D>, Completion<O>) + 'static,
{
    let worker = stream.scope().worker();
    stream.unary_frontier::<CapacityContainerBuilder<Vec<O>>, _, _, _>(Pipeline, name, move |initial, info| {
        drop(initial);
        let activator = worker.sync_activator_for(info.address.to_vec());
        let (tx, rx) = std::sync::mpsc::channel::<Vec<O>>();
        let mut buffered: BTreeMap<u64, (Capability<u64>, Vec<D>)> = BTreeMap::new();
        let mut in_flight: Option<Vec<Capability<u64>>> = None;
        move |(input, frontier), output| {
            input.for_each_stamp(|cap, data| {
                if let Some(cap) = cap.retain_least(output.output_index()) {
                    let time = *cap.time();
                    buffered.entry(time).or_insert_with(|| (cap, Vec::new())).1.extend(data.flat_map(|d| d.drain(..)));
                }
            });
            if let Ok(mut outputs) = rx.try_recv() {
                if let Some(caps) = in_flight.take() {
                    if let Some(first) = caps.first() {
                        if !outputs.is_empty() {
                            output.session(first).give_container(&mut outputs);
                        }
                    }
                }
            }
            if in_flight.is_none() {
                let ready: Vec<u64> = buffered.keys().copied().filter(|t| !frontier.less_equal(t)).collect();
                if !ready.is_empty() {
                    let mut caps = Vec::with_capacity(ready.len());
                    let mut batch = Vec::new();
                    let last = ready.last().copied().unwrap_or_default();
                    for t in ready {
                        if let Some((cap, mut data)) = buffered.remove(&t) {
                            caps.push(cap);
                            batch.append(&mut data);
                        }
                    }
                    in_flight = Some(caps);
                    let (tx, activator) = (tx.clone(), activator.clone());
                    submit(
                        last,
                        batch,
                        Completion::new(move |outputs| {
                            let _ = tx.send(outputs);
                            let _ = activator.activate();
                        }),
                    );
                }
            }
        }
    })
}
