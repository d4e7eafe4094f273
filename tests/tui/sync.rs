//! The terminal app's part of sync (issue 17), through `Session` with a fake `SyncPort`: each
//! remote's standing on the detail screen (drawn, snapshotted), nothing new without remotes, the
//! plan dialog (one remote, or picked among several), confirm runs it and shows the outcomes and
//! asks the standings again, cancel runs nothing, and the port's errors are shown.
//!
//! New or changed snapshots: `INSTA_UPDATE=always cargo test --test tui sync::`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossterm::event::KeyCode;
use csvault::csms::{ApiError, ErrorCode, RemoteInfo};
use csvault::sync::plan::{Action, Mode, Outcome, PlanItem, Side};
use csvault::sync::status::Standing;
use csvault::tui::sync::SyncPort;

use crate::support::{Harness, redact, snapshot_settings};

const LABEL: &str = "~/.local/share/csvault/vault.db";
const WAIT: Duration = Duration::from_secs(20);

/// A sync port that answers from its fields and records what it was asked.
#[derive(Default)]
struct FakePort {
    remotes: Vec<&'static str>,
    /// Per remote: its standing, or `None` for unreachable.
    standings: Vec<(&'static str, Option<Standing>)>,
    /// The plan every `plan` answers, or the error.
    plan: Option<Result<Vec<PlanItem>, ApiError>>,
    /// Names whose run fails.
    failing: Vec<&'static str>,
    remotes_error: Option<ErrorCode>,
    asked: Mutex<Asked>,
}

#[derive(Default, Debug)]
struct Asked {
    /// `secret@remote`, per standing asked.
    standings: Vec<String>,
    plans: Vec<(String, Option<Vec<String>>)>,
    runs: Vec<(String, Vec<PlanItem>)>,
}

fn info(name: &str) -> RemoteInfo {
    RemoteInfo {
        name: name.to_owned(),
        endpoint: format!("https://{name}.example"),
        project_id: None,
        region: None,
        iam_endpoint: None,
        access_key: "AK".to_owned(),
        has_ca: false,
        create_time: 0,
        last_sync_time: None,
    }
}

impl SyncPort for FakePort {
    fn remotes(&self) -> Result<Vec<RemoteInfo>, ApiError> {
        if let Some(code) = self.remotes_error {
            return Err(ApiError::new(code, "The remotes cannot be read."));
        }
        Ok(self.remotes.iter().map(|n| info(n)).collect())
    }

    fn standing(&self, secret: &str, remote: &str) -> Result<Standing, ApiError> {
        let mut asked = self.asked.lock().unwrap();
        asked.standings.push(format!("{secret}@{remote}"));
        // After a run, every remote that answers is in step.
        let ran = !asked.runs.is_empty();
        match self.standings.iter().find(|(n, _)| *n == remote) {
            Some((_, Some(_))) if ran => Ok(Standing::InStep),
            Some((_, Some(standing))) => Ok(*standing),
            _ => Err(ApiError::new(
                ErrorCode::RemoteUnreachable,
                "The remote could not be reached.",
            )),
        }
    }

    fn plan(
        &self,
        remote: &str,
        mode: Mode,
        names: Option<&[String]>,
    ) -> Result<Vec<PlanItem>, ApiError> {
        assert_eq!(mode, Mode::Sync);
        self.asked
            .lock()
            .unwrap()
            .plans
            .push((remote.to_owned(), names.map(<[String]>::to_vec)));
        match &self.plan {
            Some(Ok(items)) => Ok(items.clone()),
            Some(Err(e)) => Err(ApiError::new(e.code, e.error_msg.clone())),
            None => Ok(Vec::new()),
        }
    }

    fn run(
        &self,
        remote: &str,
        _mode: Mode,
        _names: Option<&[String]>,
        plan: &[PlanItem],
    ) -> Result<Vec<Outcome>, ApiError> {
        self.asked
            .lock()
            .unwrap()
            .runs
            .push((remote.to_owned(), plan.to_vec()));
        Ok(plan
            .iter()
            .map(|item| Outcome {
                item: item.clone(),
                error: self
                    .failing
                    .contains(&item.name.as_str())
                    .then(|| ApiError::new(ErrorCode::RemoteRefused, "The remote said CSMS.0202.")),
            })
            .collect())
    }
}

fn item(name: &str, action: Action, reason: Option<&str>) -> PlanItem {
    PlanItem {
        name: name.to_owned(),
        action,
        reason: reason.map(str::to_owned),
    }
}

/// A vault with `db-password` and `api-token`, the session on the list, remote work against
/// `port`.
fn scene(port: &Arc<FakePort>) -> Harness {
    let mut h = Harness::unlocked().unwrap();
    h.session.app.vault_label = LABEL.into();
    h.create("api-token", "Token for the payments API", "tok");
    h.press(KeyCode::Esc);
    h.create("db-password", "Production PostgreSQL", "first");
    h.press(KeyCode::Esc);
    h.session
        .set_sync_port(Arc::clone(port) as Arc<dyn SyncPort>);
    h
}

/// Opens the detail of the selected secret (the list's second row: `db-password`).
fn open_detail(h: &mut Harness) {
    h.press(KeyCode::Down);
    h.press(KeyCode::Enter);
}

fn settle(h: &mut Harness) {
    assert!(h.session.settle_remote(WAIT), "remote work did not finish");
}

fn frame(h: &Harness) -> String {
    redact(&h.frame(100, 30))
}

fn snapshot(name: &str, text: &str) {
    snapshot_settings().bind(|| insta::assert_snapshot!(name.to_owned(), text));
}

#[test]
fn the_detail_shows_each_remotes_standing_coloured_and_why_one_failed() {
    let port = Arc::new(FakePort {
        remotes: vec!["home", "cloud", "lab"],
        standings: vec![
            ("home", Some(Standing::InStep)),
            ("cloud", Some(Standing::Conflict)),
        ],
        ..FakePort::default()
    });
    let mut h = scene(&port);
    open_detail(&mut h);
    settle(&mut h);
    let text = frame(&h);
    assert!(text.contains("Secret: db-password"), "{text}");
    for line in ["home   in step", "cloud  conflict", "lab    unreachable"] {
        assert!(text.contains(line), "{line} missing in\n{text}");
    }
    snapshot("sync_detail_standings_100x30", &text);
    // On a small terminal the record keeps its rows: the block gives way.
    let small = redact(&h.frame(60, 15));
    assert!(small.contains("Secret: db-password"), "{small}");
    snapshot("sync_detail_standings_60x15", &small);
    let taller = redact(&h.frame(60, 24));
    assert!(taller.contains("lab    unreachable"), "{taller}");
    // Coloured by standing: in step green, conflict and an error red.
    let buf = h.buffer(100, 30);
    let colour_of = |word: &str| {
        let text = csvault_text(&buf);
        let (y, x) = find(&text, word).unwrap();
        buf[(x, y)].fg
    };
    assert_eq!(
        colour_of("in step"),
        csvault::tui::theme::success().fg.unwrap()
    );
    assert_eq!(
        colour_of("conflict"),
        csvault::tui::theme::danger().fg.unwrap()
    );
    assert_eq!(
        colour_of("unreachable"),
        csvault::tui::theme::danger().fg.unwrap()
    );
    // One question per remote.
    let mut asked = port.asked.lock().unwrap().standings.clone();
    asked.sort();
    assert_eq!(
        asked,
        ["db-password@cloud", "db-password@home", "db-password@lab"]
    );
}

fn csvault_text(buf: &ratatui::buffer::Buffer) -> Vec<String> {
    crate::support::buffer_text(buf)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Row and column (in cells; the frame here is ASCII before the word) of `word`'s first cell.
fn find(rows: &[String], word: &str) -> Option<(u16, u16)> {
    rows.iter().enumerate().find_map(|(y, row)| {
        let at = row.find(word)?;
        let x = row[..at].chars().count();
        Some((u16::try_from(y).ok()?, u16::try_from(x).ok()?))
    })
}

#[test]
fn a_vault_without_remotes_shows_nothing_new_and_s_says_there_are_none() {
    let port = Arc::new(FakePort::default());
    let mut h = scene(&port);
    open_detail(&mut h);
    settle(&mut h);
    let text = frame(&h);
    assert!(!text.contains("Remotes"), "{text}");
    assert!(port.asked.lock().unwrap().standings.is_empty());
    h.chr('S');
    settle(&mut h);
    let text = frame(&h);
    assert!(text.contains("No remotes: add one"), "{text}");
    assert!(h.session.app.overlay.is_none());
}

#[test]
fn the_detail_says_it_is_checking_until_the_remotes_answer() {
    /// Answers its standings only once let go.
    struct Slow {
        go: Mutex<std::sync::mpsc::Receiver<()>>,
    }
    impl SyncPort for Slow {
        fn remotes(&self) -> Result<Vec<RemoteInfo>, ApiError> {
            Ok(vec![info("home")])
        }
        fn standing(&self, _: &str, _: &str) -> Result<Standing, ApiError> {
            let _ = self.go.lock().unwrap().recv_timeout(WAIT);
            Ok(Standing::LocalChanges)
        }
        fn plan(&self, _: &str, _: Mode, _: Option<&[String]>) -> Result<Vec<PlanItem>, ApiError> {
            Ok(Vec::new())
        }
        fn run(
            &self,
            _: &str,
            _: Mode,
            _: Option<&[String]>,
            _: &[PlanItem],
        ) -> Result<Vec<Outcome>, ApiError> {
            Ok(Vec::new())
        }
    }
    let (go, wait) = std::sync::mpsc::channel();
    let mut h = scene(&Arc::new(FakePort::default()));
    h.session.set_sync_port(Arc::new(Slow {
        go: Mutex::new(wait),
    }));
    open_detail(&mut h);
    // The screen is drawn and keys work while the remote has not answered.
    let deadline = Instant::now() + WAIT;
    while !frame(&h).contains("checking remotes…") {
        assert!(Instant::now() < deadline, "never said it was checking");
        std::thread::sleep(Duration::from_millis(5));
        h.session.tick(Instant::now());
    }
    let text = frame(&h);
    assert!(text.contains("home  checking…"), "{text}");
    h.press(KeyCode::PageDown);
    go.send(()).unwrap();
    settle(&mut h);
    let text = frame(&h);
    assert!(text.contains("home  local changes"), "{text}");
    assert!(!text.contains("checking"), "{text}");
}

fn one_remote_with_a_plan() -> Arc<FakePort> {
    Arc::new(FakePort {
        remotes: vec!["home"],
        standings: vec![("home", Some(Standing::LocalChanges))],
        plan: Some(Ok(vec![item(
            "db-password",
            Action::NewVersion { to: Side::Remote },
            None,
        )])),
        ..FakePort::default()
    })
}

#[test]
fn s_on_the_detail_shows_the_plan_and_confirm_runs_it_and_shows_the_outcomes() {
    let port = one_remote_with_a_plan();
    let mut h = scene(&port);
    open_detail(&mut h);
    settle(&mut h);
    h.chr('S');
    settle(&mut h);
    let text = frame(&h);
    assert!(text.contains("Sync with home: plan of 1 item"), "{text}");
    assert!(
        text.contains("db-password              new_version     → remote"),
        "{text}"
    );
    snapshot("sync_plan_one_100x30", &text);
    assert_eq!(
        port.asked.lock().unwrap().plans,
        [("home".to_owned(), Some(vec!["db-password".to_owned()]))]
    );
    assert!(
        port.asked.lock().unwrap().runs.is_empty(),
        "ran before a yes"
    );

    h.press(KeyCode::Enter);
    settle(&mut h);
    let text = frame(&h);
    assert!(text.contains("Synced with home: 1 done"), "{text}");
    assert!(text.contains("new_version     → remote  done"), "{text}");
    // The detail under it was refreshed: its standing asked again.
    assert!(text.contains("home  in step"), "{text}");
    snapshot("sync_outcomes_one_100x30", &text);
    {
        let asked = port.asked.lock().unwrap();
        assert_eq!(asked.runs.len(), 1);
        assert_eq!(asked.runs[0].0, "home");
        assert_eq!(asked.runs[0].1[0].name, "db-password");
        // The detail's standings were asked again after the run.
        assert_eq!(asked.standings, ["db-password@home", "db-password@home"]);
    }
    h.press(KeyCode::Enter);
    assert!(h.session.app.overlay.is_none());
    assert!(frame(&h).contains("Secret: db-password"));
}

#[test]
fn cancelling_the_plan_runs_nothing() {
    let port = one_remote_with_a_plan();
    let mut h = scene(&port);
    open_detail(&mut h);
    settle(&mut h);
    h.chr('S');
    settle(&mut h);
    assert!(frame(&h).contains("plan of 1 item"));
    h.press(KeyCode::Esc);
    settle(&mut h);
    assert!(h.session.app.overlay.is_none());
    assert!(frame(&h).contains("Secret: db-password"));
    // `n` cancels as well.
    h.chr('S');
    settle(&mut h);
    h.chr('n');
    settle(&mut h);
    let asked = port.asked.lock().unwrap();
    assert_eq!(asked.plans.len(), 2);
    assert!(asked.runs.is_empty(), "{:?}", asked.runs);
}

#[test]
fn s_on_the_list_picks_a_remote_and_plans_every_secret_with_conflicts_counted() {
    let mut plan: Vec<PlanItem> = (0..30)
        .map(|i| item(&format!("svc-{i:02}"), Action::UpToDate, None))
        .collect();
    plan.insert(
        0,
        item("api-token", Action::Conflict, Some("changed on both sides")),
    );
    plan.insert(
        1,
        item("db-password", Action::Create { to: Side::Local }, None),
    );
    plan.push(item(
        "zz-old",
        Action::Deleted { on: Side::Remote },
        Some("deleted on the remote"),
    ));
    plan.push(item(
        "zz-other",
        Action::Conflict,
        Some("changed on both sides"),
    ));
    let port = Arc::new(FakePort {
        remotes: vec!["home", "cloud"],
        plan: Some(Ok(plan)),
        failing: vec!["db-password"],
        ..FakePort::default()
    });
    let mut h = scene(&port);
    h.chr('S');
    settle(&mut h);
    let text = frame(&h);
    assert!(text.contains("Which remote?"), "{text}");
    snapshot("sync_pick_remote_100x30", &text);
    // Sorted by name: cloud, then home.
    h.press(KeyCode::Down);
    h.press(KeyCode::Enter);
    settle(&mut h);
    let text = frame(&h);
    assert!(
        text.contains("Sync with home: plan of 34 items · 2 conflicts"),
        "{text}"
    );
    assert!(
        text.contains("api-token                conflict                  changed on both sides"),
        "{text}"
    );
    assert!(!text.contains("zz-other"), "the end is below: {text}");
    snapshot("sync_plan_all_100x30", &text);
    // The plan scrolls.
    for _ in 0..4 {
        h.press(KeyCode::PageDown);
    }
    let text = frame(&h);
    assert!(
        text.contains("zz-old                   deleted         on remote deleted on the remote"),
        "{text}"
    );
    assert!(!text.contains("api-token   "), "{text}");
    assert_eq!(
        port.asked.lock().unwrap().plans,
        [("home".to_owned(), None)]
    );
    h.chr('y');
    settle(&mut h);
    let text = frame(&h);
    assert!(
        text.contains("Synced with home: 31 done, 2 conflicts, 1 failed"),
        "{text}"
    );
    assert!(
        text.contains("create          → local   failed: SYNC.0002 The remote said"),
        "{text}"
    );
    h.press(KeyCode::Esc);
    assert!(h.session.app.overlay.is_none());
}

#[test]
fn the_ports_errors_are_shown() {
    // The plan refused: a clock skew, said with its code; nothing runs.
    let port = Arc::new(FakePort {
        remotes: vec!["home"],
        plan: Some(Err(ApiError::new(
            ErrorCode::ClockSkew,
            "The remote refused the request's time.",
        ))),
        ..FakePort::default()
    });
    let mut h = scene(&port);
    h.chr('S');
    settle(&mut h);
    let text = frame(&h);
    assert!(text.contains("Sync with home failed"), "{text}");
    assert!(
        text.contains("SYNC.0004 The remote refused the request's time."),
        "{text}"
    );
    snapshot("sync_plan_failed_100x30", &text);
    h.press(KeyCode::Enter);
    assert!(h.session.app.overlay.is_none());
    assert!(port.asked.lock().unwrap().runs.is_empty());

    // The remotes could not be read.
    let port = Arc::new(FakePort {
        remotes_error: Some(ErrorCode::Internal),
        ..FakePort::default()
    });
    h.session.set_sync_port(port);
    h.chr('S');
    settle(&mut h);
    let text = frame(&h);
    assert!(text.contains("Sync failed"), "{text}");
    assert!(text.contains("The remotes cannot be read."), "{text}");
}

#[test]
fn a_run_whose_dialog_was_closed_says_how_it_ended_on_the_status_line() {
    let port = one_remote_with_a_plan();
    let mut h = scene(&port);
    open_detail(&mut h);
    settle(&mut h);
    h.chr('S');
    settle(&mut h);
    h.press(KeyCode::Enter);
    // Closed while it runs: the run goes on.
    h.press(KeyCode::Esc);
    assert!(h.session.app.overlay.is_none());
    settle(&mut h);
    let text = frame(&h);
    assert!(text.contains("Synced with home: 1 done"), "{text}");
    assert_eq!(port.asked.lock().unwrap().runs.len(), 1);
}

#[test]
fn the_plans_keys_are_enter_or_y_to_run_and_esc_or_n_to_cancel_and_the_outcomes_close_on_enter_or_esc()
 {
    let port = one_remote_with_a_plan();
    let mut h = scene(&port);
    open_detail(&mut h);
    settle(&mut h);
    let runs = |port: &FakePort| port.asked.lock().unwrap().runs.len();
    // At the plan, other keys neither run it nor close it.
    h.chr('S');
    settle(&mut h);
    for key in [KeyCode::Char('x'), KeyCode::Tab, KeyCode::Char(' ')] {
        h.press(key);
        settle(&mut h);
        assert!(
            frame(&h).contains("plan of 1 item"),
            "{key:?} left the plan"
        );
    }
    assert_eq!(runs(&port), 0);
    // Esc and n cancel: nothing runs.
    for key in [KeyCode::Esc, KeyCode::Char('n')] {
        h.chr('S');
        settle(&mut h);
        assert!(frame(&h).contains("plan of 1 item"));
        h.press(key);
        settle(&mut h);
        assert!(h.session.app.overlay.is_none(), "{key:?} did not cancel");
        assert_eq!(runs(&port), 0, "{key:?} ran the plan");
    }
    // Enter and y run it; the outcomes close on Enter and on Esc.
    for (n, (run, close)) in [
        (KeyCode::Enter, KeyCode::Esc),
        (KeyCode::Char('y'), KeyCode::Enter),
    ]
    .into_iter()
    .enumerate()
    {
        h.chr('S');
        settle(&mut h);
        h.press(run);
        settle(&mut h);
        assert_eq!(runs(&port), n + 1, "{run:?} did not run the plan");
        let text = frame(&h);
        assert!(text.contains("Synced with home: 1 done"), "{text}");
        // Keys other than those leave the outcomes up.
        h.chr('x');
        assert!(h.session.app.overlay.is_some());
        h.press(close);
        assert!(h.session.app.overlay.is_none(), "{close:?} did not close");
        assert_eq!(runs(&port), n + 1);
    }
}

/// Holds the calls made to it until let go.
#[derive(Default)]
struct Gate {
    open: Mutex<bool>,
    opened: std::sync::Condvar,
}

impl Gate {
    fn pass(&self) {
        let open = self.open.lock().unwrap();
        let _open = self
            .opened
            .wait_timeout_while(open, WAIT, |open| !*open)
            .unwrap();
    }

    fn let_go(&self) {
        *self.open.lock().unwrap() = true;
        self.opened.notify_all();
    }
}

/// A port whose standings and runs wait at a gate, counting the calls in flight.
#[derive(Default)]
struct Held {
    gate: Gate,
    /// Standings asked, `secret@remote`.
    asked: Mutex<Vec<String>>,
    /// Per remote: standings in flight now, and the most ever at once.
    in_flight: Mutex<std::collections::HashMap<String, (usize, usize)>>,
    runs: Mutex<usize>,
}

impl SyncPort for Held {
    fn remotes(&self) -> Result<Vec<RemoteInfo>, ApiError> {
        Ok(vec![info("home"), info("cloud")])
    }
    fn standing(&self, secret: &str, remote: &str) -> Result<Standing, ApiError> {
        self.asked
            .lock()
            .unwrap()
            .push(format!("{secret}@{remote}"));
        {
            let mut flight = self.in_flight.lock().unwrap();
            let (now, most) = flight.entry(remote.to_owned()).or_default();
            *now += 1;
            *most = (*most).max(*now);
        }
        self.gate.pass();
        self.in_flight.lock().unwrap().get_mut(remote).unwrap().0 -= 1;
        Ok(Standing::InStep)
    }
    fn plan(&self, _: &str, _: Mode, names: Option<&[String]>) -> Result<Vec<PlanItem>, ApiError> {
        Ok(names
            .unwrap_or_default()
            .iter()
            .map(|n| item(n, Action::NewVersion { to: Side::Remote }, None))
            .collect())
    }
    fn run(
        &self,
        _: &str,
        _: Mode,
        _: Option<&[String]>,
        plan: &[PlanItem],
    ) -> Result<Vec<Outcome>, ApiError> {
        *self.runs.lock().unwrap() += 1;
        self.gate.pass();
        Ok(plan
            .iter()
            .map(|item| Outcome {
                item: item.clone(),
                error: None,
            })
            .collect())
    }
}

/// Ticks until `frame` shows `text`.
fn tick_until(h: &mut Harness, text: &str) {
    let deadline = Instant::now() + WAIT;
    while !frame(h).contains(text) {
        assert!(Instant::now() < deadline, "never showed {text}");
        std::thread::sleep(Duration::from_millis(2));
        h.session.tick(h.now);
    }
}

#[test]
fn paging_through_details_asks_each_remote_one_standing_at_a_time_and_only_of_the_secret_shown() {
    let port = Arc::new(Held::default());
    let mut h = scene(&Arc::new(FakePort::default()));
    for i in 0..4 {
        h.create(&format!("svc-{i}"), "", "v");
        h.press(KeyCode::Esc);
    }
    h.session
        .set_sync_port(Arc::clone(&port) as Arc<dyn SyncPort>);
    // The list, by name: api-token, db-password, svc-0 … svc-3. Each detail opened waits
    // until it shows that it is checking, then the next one.
    h.press(KeyCode::Home);
    for row in 0..6 {
        h.press(KeyCode::Enter);
        tick_until(&mut h, "checking remotes…");
        h.press(KeyCode::Esc);
        if row < 5 {
            h.press(KeyCode::Down);
        }
    }
    // One more opened and left before its remotes were listed (svc-2): nothing is asked about
    // it; then the last one again, kept.
    h.press(KeyCode::Up);
    h.press(KeyCode::Enter);
    h.press(KeyCode::Esc);
    h.press(KeyCode::Down);
    h.press(KeyCode::Enter);
    tick_until(&mut h, "checking remotes…");
    let text = frame(&h);
    assert!(text.contains("Secret: svc-3"), "{text}");
    // Meanwhile: the first detail's two questions under way, one per remote, the last one's
    // waiting; nothing else.
    {
        let asked = port.asked.lock().unwrap().clone();
        assert_eq!(asked.len(), 2, "{asked:?}");
        assert!(
            asked.iter().all(|a| a.starts_with("api-token@")),
            "{asked:?}"
        );
    }
    // Eight listings of the remotes and two questions, each on a worker: no more threads.
    assert_eq!(h.session.remote_threads_started(), 8 + 2);
    port.gate.let_go();
    settle(&mut h);
    let mut asked = port.asked.lock().unwrap().clone();
    asked.sort();
    assert_eq!(
        asked,
        [
            "api-token@cloud",
            "api-token@home",
            "svc-3@cloud",
            "svc-3@home"
        ]
    );
    for (remote, (_, most)) in port.in_flight.lock().unwrap().iter() {
        assert_eq!(*most, 1, "{remote}: {most} standings at once");
    }
    // The detail shown has its answers; the first one's were dropped.
    let text = frame(&h);
    assert!(text.contains("Secret: svc-3"), "{text}");
    assert!(text.contains("home   in step"), "{text}");
    assert!(text.contains("cloud  in step"), "{text}");
    assert_eq!(h.session.remote_threads_started(), 8 + 4);
}

#[test]
fn after_the_idle_lock_a_runs_answer_is_dropped_and_no_remote_work_starts() {
    let port = Arc::new(Held::default());
    let mut h = scene(&Arc::new(FakePort::default()));
    h.session
        .set_sync_port(Arc::clone(&port) as Arc<dyn SyncPort>);
    open_detail(&mut h);
    tick_until(&mut h, "checking remotes…");
    h.chr('S');
    // Two remotes: pick home, then the plan.
    tick_until(&mut h, "Which remote?");
    h.press(KeyCode::Down);
    h.press(KeyCode::Enter);
    tick_until(&mut h, "Sync with home: plan");
    h.press(KeyCode::Enter);
    while *port.runs.lock().unwrap() == 0 {
        std::thread::sleep(Duration::from_millis(2));
    }
    let started = h.session.remote_threads_started();
    // Idle: the app locks while the run waits at the remote.
    h.advance(csvault::tui::session::DEFAULT_LOCK_AFTER + Duration::from_secs(1));
    assert!(!h.session.is_unlocked());
    port.gate.let_go();
    assert!(h.session.settle_remote(WAIT), "the run did not end");
    for _ in 0..3 {
        h.advance(Duration::from_millis(10));
    }
    // Its answer was dropped: no outcome said, nothing read again, no standing asked again
    // (only the two asked when the detail opened).
    let text = frame(&h);
    assert!(!text.contains("Synced with"), "{text}");
    assert!(h.session.app.overlay.is_none(), "{text}");
    assert_eq!(port.asked.lock().unwrap().len(), 2);
    assert_eq!(h.session.remote_threads_started(), started);

    // Unlocked again, remote work runs as before.
    h.type_str(crate::support::PASSPHRASE);
    h.press(KeyCode::Enter);
    assert!(h.session.is_unlocked());
    h.chr('S');
    tick_until(&mut h, "Which remote?");
    assert_eq!(h.session.remote_threads_started(), started + 1);
}
