//! Every position of a segment read exactly once: what both segment writers check of the
//! rows the ledger sends, so a gap or a doubled row stops the chain's export instead of
//! being archived.

use crate::error::ExportError;

/// The positions `from..=to` of a chain, as they are read.
pub(super) struct Positions {
    chain: i32,
    from: i64,
    seen: Vec<bool>,
}

impl Positions {
    pub(super) fn new(chain: i32, from: i64, to: i64) -> Self {
        Positions { chain, from, seen: vec![false; (to - from + 1).max(0) as usize] }
    }

    /// Records a row read at `seq`: an error if it lies outside the range or came before.
    pub(super) fn read(&mut self, seq: i64) -> Result<(), ExportError> {
        let slot = usize::try_from(seq - self.from).ok().and_then(|i| self.seen.get_mut(i));
        match slot {
            Some(seen) if !*seen => {
                *seen = true;
                Ok(())
            }
            _ => Err(ExportError::LedgerInconsistent {
                chain_id: self.chain,
                message: format!("chain_seq {seq} read twice or out of range"),
            }),
        }
    }

    /// An error naming the first position never read.
    pub(super) fn all_read(&self) -> Result<(), ExportError> {
        match self.seen.iter().position(|s| !s) {
            None => Ok(()),
            Some(missing) => Err(ExportError::LedgerInconsistent {
                chain_id: self.chain,
                message: format!("chain_seq {} is missing from the ledger", self.from + missing as i64),
            }),
        }
    }
}
