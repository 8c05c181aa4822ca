//! The delegation graph's rules (SPEC §5), in one place for both engines that follow it: the
//! live views' `iterate` over the rows in memory (`operators::revocation`) and the ledger's
//! walk for trees that left memory (`ledger::views::checks`). Each says which rows are
//! edges and what a revocation names; neither restates it.

use crate::view::ViewEvent;

/// What a revocation names as its roots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Revokes<'a> {
    /// An agent session: the root itself.
    Agent(&'a str),
    /// A delegation edge named only by its id: the root is the edge's child.
    Edge(&'a str),
    /// A session named only by its id: the roots are the agent sessions it started.
    Session(&'a str),
}

impl ViewEvent {
    /// A delegation edge, `(parent, child)` agent sessions: a `delegation_edge_created`
    /// naming both. A revocation reaches its roots and everything below them over these.
    ///
    /// ```
    /// # use auditflow_schemas::view::ViewEvent;
    /// # let mut row: ViewEvent = serde_json::from_str(r#"{"chain_id":0,"chain_seq":0,"id":"e","zone_id":"z",
    /// #   "event_type":"delegation_edge_created","request_id":null,"decision":null,"evaluation_status":null,
    /// #   "determining_policies_json":null,"diagnostics_json":null,"session_id":null,
    /// #   "agent_session_id":"child","delegation_edge_id":"edge-1","parent_agent_session_id":"parent",
    /// #   "occurred_at_us":0}"#).unwrap();
    /// assert_eq!(row.delegation(), Some(("parent", "child")));
    /// assert_eq!(row.edge_child(), Some(("edge-1", "child")));
    /// row.event_type = "delegation_edge_revoked".into();
    /// assert_eq!(row.delegation(), None);
    /// ```
    pub fn delegation(&self) -> Option<(&str, &str)> {
        match (self.event_type.as_str(), &self.parent_agent_session_id, &self.agent_session_id) {
            ("delegation_edge_created", Some(parent), Some(child)) => Some((parent, child)),
            _ => None,
        }
    }

    /// `(edge id, child)` of a `delegation_edge_created`, for revocations naming only the edge.
    pub fn edge_child(&self) -> Option<(&str, &str)> {
        match (self.event_type.as_str(), &self.delegation_edge_id, &self.agent_session_id) {
            ("delegation_edge_created", Some(edge), Some(child)) => Some((edge, child)),
            _ => None,
        }
    }

    /// `(session, agent session)` of a session lifecycle row other than its revocation: the
    /// agent sessions a session started, for revocations naming only the session.
    pub fn session_agent(&self) -> Option<(&str, &str)> {
        if !self.event_type.starts_with("session_") || self.event_type == "session_revoked" {
            return None;
        }
        Some((self.session_id.as_deref()?, self.agent_session_id.as_deref()?))
    }

    /// What this row revokes, if it is a revocation that names something.
    ///
    /// ```
    /// # use auditflow_schemas::view::ViewEvent;
    /// use auditflow_schemas::delegation::Revokes;
    /// # let mut row: ViewEvent = serde_json::from_str(r#"{"chain_id":0,"chain_seq":0,"id":"e","zone_id":"z",
    /// #   "event_type":"session_revoked","request_id":null,"decision":null,"evaluation_status":null,
    /// #   "determining_policies_json":null,"diagnostics_json":null,"session_id":"s-1",
    /// #   "agent_session_id":null,"delegation_edge_id":null,"parent_agent_session_id":null,
    /// #   "occurred_at_us":0}"#).unwrap();
    /// assert_eq!(row.revokes(), Some(Revokes::Session("s-1")));
    /// row.agent_session_id = Some("as-1".into());
    /// assert_eq!(row.revokes(), Some(Revokes::Agent("as-1")));
    /// row.event_type = "session_started".into();
    /// assert_eq!(row.revokes(), None);
    /// ```
    pub fn revokes(&self) -> Option<Revokes<'_>> {
        if !self.is_revocation() {
            return None;
        }
        match (&self.agent_session_id, &self.delegation_edge_id, &self.session_id) {
            (Some(agent), _, _) => Some(Revokes::Agent(agent)),
            (None, Some(edge), _) if self.event_type == "delegation_edge_revoked" => Some(Revokes::Edge(edge)),
            (None, None, Some(session)) if self.event_type == "session_revoked" => Some(Revokes::Session(session)),
            _ => None,
        }
    }
}
