//! Helpers shared by the core's integration tests (`mod common;`): an event sink that records
//! what it gets, and an in-memory issuer with unsealed keys for tests whose subject is not
//! sealing. The loopback HTTP server is `support` (also included by the UniFFI tests).
#![allow(dead_code)] // each test file uses the part it needs

use std::sync::{Arc, Mutex};

use serde_json::{Map, Value};

use authjwt_core::events::{Event, EventSink};
use authjwt_core::issuer::{Issuer, IssuerOptions, SignOverrides};
use authjwt_core::store::MemoryStore;

/// Records every event, in order.
#[derive(Default)]
pub struct Recorder(Mutex<Vec<Event>>);

impl EventSink for Recorder {
    fn on_event(&self, event: &Event) {
        self.0.lock().unwrap().push(event.clone());
    }
}

impl Recorder {
    /// The events so far.
    pub fn events(&self) -> Vec<Event> {
        self.0.lock().unwrap().clone()
    }

    /// Their names (`"jwks.fetched"`, ...), in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.0.lock().unwrap().iter().map(Event::name).collect()
    }

    /// How many are named `name`.
    pub fn count(&self, name: &str) -> usize {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e.name() == name)
            .count()
    }

    /// Their JSON forms, as hosts receive them.
    pub fn json(&self) -> Vec<Value> {
        self.0.lock().unwrap().iter().map(Event::to_json).collect()
    }
}

/// An issuer over a fresh in-memory store, keys unsealed.
pub async fn unsealed_issuer() -> Issuer {
    let opts = IssuerOptions {
        disable_private_key_encryption: true,
        ..IssuerOptions::default()
    };
    Issuer::new(Arc::new(MemoryStore::new()), opts).unwrap()
}

/// A token of `issuer` with no claims of its own.
pub async fn token(issuer: &Issuer) -> String {
    issuer
        .sign(Map::new(), &SignOverrides::default())
        .await
        .unwrap()
}
