//! The endpoint's connection slots: at most [`MAX_CONNECTIONS`] connections at once, and at most
//! [`MAX_PER_ADDRESS`] from one client address, so that connections which send nothing (and need
//! no credentials to open) cannot keep a signed request out.
//!
//! A slot is taken once a connection is accepted, and each connection is in a [`Phase`]. One still
//! opening (its TLS handshake or first request head not complete within [`HEAD_TIMEOUT`]) or idle
//! between requests for [`IDLE_TIMEOUT`] is closed. At a cap, a new connection takes the place of
//! one that is not serving a signed request: an opening one first, then an idle one, then one
//! whose body is still being read (its signature not yet checked); the oldest first, and at the
//! overall cap from the address that holds the most. Only when every connection is serving a
//! signed request (or every one of the new connection's address, at its cap) is none closed:
//! then accepting pauses (or the new connection is closed). Reaching a cap is logged, at most
//! once every [`REPORT_INTERVAL`].

use std::cmp::Reverse;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

use super::log;

/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 512;

/// Connections served at once from one client address (IP): half of them, so one client cannot
/// hold them all, and the other half is left to the rest.
pub const MAX_PER_ADDRESS: usize = MAX_CONNECTIONS / 2;

/// How long a new connection may take to finish its TLS handshake and send its first request
/// head, together.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a keep-alive connection may wait between requests (until the next head is whole).
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Reaching a cap is logged at most this often.
const REPORT_INTERVAL: Duration = Duration::from_secs(10);

/// Where a connection is; the order is the order in which they give way to new connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// Accepted; its TLS handshake or first request head is not complete.
    Opening,
    /// Between requests (keep-alive).
    Idle,
    /// A request head is in; its body is being read and its signature is not yet checked.
    Reading,
    /// A signed request is being served: never closed to make room.
    Serving,
}

/// Every open connection's slot.
pub struct Slots {
    open: Mutex<Open>,
    /// Woken when a slot is given back or a connection goes idle: there may be room again.
    room: Notify,
    max: usize,
    per_address: usize,
}

struct Open {
    next_id: u64,
    connections: HashMap<u64, Entry>,
    by_address: HashMap<IpAddr, usize>,
    serving: usize,
    report: Report,
}

struct Entry {
    address: IpAddr,
    phase: Phase,
    /// When it entered its phase.
    since: Instant,
    /// Notified when the slot is taken from it: the connection must close.
    close: Arc<Notify>,
}

/// What happened at the caps since the last log line about them.
#[derive(Default)]
struct Report {
    last: Option<Instant>,
    closed: u64,
    refused: u64,
    paused: u64,
}

/// One connection's slot, given back when dropped.
pub struct Slot {
    slots: Arc<Slots>,
    id: u64,
    close: Arc<Notify>,
}

impl Slots {
    pub fn new() -> Arc<Self> {
        Self::with_caps(MAX_CONNECTIONS, MAX_PER_ADDRESS)
    }

    fn with_caps(max: usize, per_address: usize) -> Arc<Self> {
        Arc::new(Self {
            open: Mutex::new(Open {
                next_id: 0,
                connections: HashMap::new(),
                by_address: HashMap::new(),
                serving: 0,
                report: Report::default(),
            }),
            room: Notify::new(),
            max,
            per_address,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Open> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until a connection could be admitted: under the cap, or a connection that could
    /// give way. While every slot serves a signed request, new connections wait in the listen
    /// backlog.
    pub async fn room(&self) {
        let mut paused = false;
        loop {
            let woken = self.room.notified();
            {
                let mut open = self.lock();
                if open.connections.len() < self.max || open.serving < open.connections.len() {
                    return;
                }
                if !paused {
                    paused = true;
                    open.report.paused += 1;
                    open.report_now(self);
                }
            }
            woken.await;
        }
    }

    /// A slot for a connection just accepted from `address`, closing another connection if a
    /// cap is reached; `None` when every connection that could give way is serving (then the
    /// new one is closed).
    pub fn admit(self: &Arc<Self>, address: IpAddr) -> Option<Slot> {
        let address = client(address);
        let mut open = self.lock();
        let at_cap = if open.by_address.get(&address).copied().unwrap_or(0) >= self.per_address {
            Some(Some(address))
        } else if open.connections.len() >= self.max {
            Some(None)
        } else {
            None
        };
        if let Some(from) = at_cap {
            let gave_way = open.give_way(from);
            if let Some(entry) = &gave_way {
                entry.close.notify_one();
                open.report.closed += 1;
            } else {
                open.report.refused += 1;
            }
            open.report_now(self);
            gave_way?;
        }
        let id = open.next_id;
        open.next_id += 1;
        let close = Arc::new(Notify::new());
        open.connections.insert(
            id,
            Entry {
                address,
                phase: Phase::Opening,
                since: Instant::now(),
                close: Arc::clone(&close),
            },
        );
        *open.by_address.entry(address).or_default() += 1;
        Some(Slot {
            slots: Arc::clone(self),
            id,
            close,
        })
    }
}

/// The client a connection counts against: its IPv4 address, or the /64 network of an IPv6 one
/// (one host commonly holds a whole /64).
fn client(address: IpAddr) -> IpAddr {
    match address.to_canonical() {
        IpAddr::V6(v6) => {
            let [a, b, c, d, ..] = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(a, b, c, d, 0, 0, 0, 0))
        }
        v4 @ IpAddr::V4(_) => v4,
    }
}

impl Open {
    /// Takes the slot of the connection that gives way first (from `address` only, if given)
    /// out of the table; `None` if all of them serve signed requests. The address holding the
    /// most gives way first, then by phase and age within it: a second address cannot make a
    /// third one's connections give way to its own while it holds more.
    fn give_way(&mut self, address: Option<IpAddr>) -> Option<Entry> {
        let held = |a: &IpAddr| self.by_address.get(a).copied().unwrap_or(0);
        let id = self
            .connections
            .iter()
            .filter(|(_, e)| e.phase != Phase::Serving && address.is_none_or(|a| a == e.address))
            .min_by_key(|(_, e)| (Reverse(held(&e.address)), e.phase, e.since))
            .map(|(id, _)| *id)?;
        self.remove(id)
    }

    fn remove(&mut self, id: u64) -> Option<Entry> {
        let entry = self.connections.remove(&id)?;
        if entry.phase == Phase::Serving {
            self.serving -= 1;
        }
        if let Some(count) = self.by_address.get_mut(&entry.address) {
            *count -= 1;
            if *count == 0 {
                self.by_address.remove(&entry.address);
            }
        }
        Some(entry)
    }

    /// Logs what happened at the caps since the last line, unless that was under
    /// [`REPORT_INTERVAL`] ago (then it is counted for the next).
    fn report_now(&mut self, slots: &Slots) {
        let now = Instant::now();
        if self
            .report
            .last
            .is_some_and(|last| now.duration_since(last) < REPORT_INTERVAL)
        {
            return;
        }
        let Report {
            closed,
            refused,
            paused,
            ..
        } = std::mem::take(&mut self.report);
        self.report.last = Some(now);
        let mut what = Vec::new();
        if closed > 0 {
            what.push(format!(
                "{closed} idle or unfinished connection(s) closed to admit new ones"
            ));
        }
        if refused > 0 {
            what.push(format!(
                "{refused} new connection(s) closed, their address's connections all serving"
            ));
        }
        if paused > 0 {
            what.push(format!(
                "accepting paused {paused} time(s), every connection serving"
            ));
        }
        log::line(&format!(
            "connection limit reached ({} at once, {} per client address): {} (said at most \
             once every {} s)",
            slots.max,
            slots.per_address,
            what.join("; "),
            REPORT_INTERVAL.as_secs()
        ));
    }
}

impl Slot {
    /// Moves the connection to `phase`; `false` if its slot was taken for a new connection
    /// (it is closing: nothing more may be done for it).
    pub fn enter(&self, phase: Phase) -> bool {
        let mut open = self.slots.lock();
        let Some(entry) = open.connections.get_mut(&self.id) else {
            return false;
        };
        let was = entry.phase;
        entry.phase = phase;
        entry.since = Instant::now();
        match (was == Phase::Serving, phase == Phase::Serving) {
            (false, true) => open.serving += 1,
            (true, false) => open.serving -= 1,
            _ => {}
        }
        drop(open);
        if phase == Phase::Idle {
            self.slots.room.notify_one();
        }
        true
    }

    /// When the connection must be closed if it is still in its phase (opening or idle), or
    /// when it was to be closed (its slot taken); `None` while a request is read or served.
    pub fn deadline(&self) -> Option<Instant> {
        let open = self.slots.lock();
        let Some(entry) = open.connections.get(&self.id) else {
            return Some(Instant::now());
        };
        match entry.phase {
            Phase::Opening => Some(entry.since + HEAD_TIMEOUT),
            Phase::Idle => Some(entry.since + IDLE_TIMEOUT),
            Phase::Reading | Phase::Serving => None,
        }
    }

    /// Resolves once the slot is taken for a new connection.
    pub async fn taken(&self) {
        self.close.notified().await;
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.slots.lock().remove(self.id);
        self.slots.room.notify_one();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const A: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1));
    const B: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 2));

    fn is_open(slot: &Slot) -> bool {
        slot.slots.lock().connections.contains_key(&slot.id)
    }

    #[test]
    fn at_the_cap_an_opening_connection_gives_way_before_an_idle_one_and_a_serving_one_never() {
        let slots = Slots::with_caps(3, 3);
        let serving = slots.admit(A).unwrap();
        assert!(serving.enter(Phase::Serving));
        let idle = slots.admit(B).unwrap();
        assert!(idle.enter(Phase::Idle));
        let opening = slots.admit(B).unwrap();

        let first = slots.admit(A).unwrap();
        assert!(!is_open(&opening) && is_open(&idle) && is_open(&serving));
        assert!(first.enter(Phase::Serving));
        let _second = slots.admit(A).unwrap();
        assert!(!is_open(&idle) && is_open(&serving));
        assert!(!idle.enter(Phase::Reading), "a closed slot stays closed");
    }

    #[test]
    fn one_address_at_its_cap_makes_room_from_its_own_connections_only() {
        let slots = Slots::with_caps(8, 2);
        let other = slots.admit(B).unwrap();
        let old = slots.admit(A).unwrap();
        let busy = slots.admit(A).unwrap();
        assert!(busy.enter(Phase::Serving));
        let new = slots.admit(A).unwrap();
        assert!(!is_open(&old) && is_open(&other) && is_open(&busy));
        assert!(new.enter(Phase::Serving));
        assert!(
            slots.admit(A).is_none(),
            "all of A's connections are serving"
        );
        assert!(slots.admit(B).is_some(), "B still has room");
    }

    #[test]
    fn at_the_overall_cap_the_address_holding_the_most_gives_way_first() {
        const C: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 3));
        let slots = Slots::with_caps(4, 4);
        let client = slots.admit(C).unwrap();
        assert!(client.enter(Phase::Idle));
        let flood: Vec<Slot> = (0..3).map(|_| slots.admit(A).unwrap()).collect();
        for slot in &flood {
            assert!(
                slot.enter(Phase::Reading),
                "a body being read, signature unchecked"
            );
        }
        let _more = slots.admit(B).unwrap();
        assert!(
            is_open(&client),
            "C's idle connection stays while A holds more than C"
        );
        assert_eq!(flood.iter().filter(|s| is_open(s)).count(), 2);
    }

    #[test]
    fn an_ipv6_host_counts_as_its_slash_64() {
        let v6 =
            |last: u16| IpAddr::V6(std::net::Ipv6Addr::new(0x2001, 0xdb8, 1, 2, 0, 0, 0, last));
        let slots = Slots::with_caps(8, 2);
        let first = slots.admit(v6(1)).unwrap();
        let _second = slots.admit(v6(2)).unwrap();
        let _third = slots.admit(v6(3)).unwrap();
        assert!(
            !is_open(&first),
            "the /64 is at its cap: its oldest gave way"
        );
    }

    #[test]
    fn a_slot_is_given_back_when_its_connection_ends() {
        let slots = Slots::with_caps(1, 1);
        let only = slots.admit(A).unwrap();
        assert!(only.enter(Phase::Serving));
        assert!(slots.admit(A).is_none());
        drop(only);
        assert!(slots.admit(A).is_some());
    }
}
