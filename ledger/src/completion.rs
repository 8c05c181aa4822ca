//! How an asynchronous writer reports a batch durable to whoever handed it over.

/// Handed to a writer with a batch; [`Completion::complete`] reports the batch durable,
/// passing any records to emit downstream. The sinks crate builds it around a timely
/// activator, so this crate needs no dataflow types.
pub struct Completion<O> {
    done: Box<dyn FnOnce(Vec<O>) + Send>,
}

impl<O> Completion<O> {
    /// A completion that calls `done` once, with the batch's outputs.
    pub fn new(done: impl FnOnce(Vec<O>) + Send + 'static) -> Self {
        Completion { done: Box::new(done) }
    }

    /// The batch is durable; `outputs` continue downstream at the batch's earliest time.
    pub fn complete(self, outputs: Vec<O>) {
        (self.done)(outputs)
    }
}
