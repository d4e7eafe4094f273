//! The engine's tests: every row of the decision table through `plan`, and `run` against
//! in-memory fakes of both sides (a crash after N remote writes, then a re-run).

mod fakes;

use std::sync::atomic::Ordering;

use fakes::{FakeLocal, FakeRemote, tag, text};

use super::plan::{Action, Mode, Options, PlanItem, Side};
use super::{plan, run};
use crate::csms::{ErrorCode, SecretState};

fn options() -> Options {
    Options::default()
}

fn prefer(side: Side) -> Options {
    Options {
        prefer: Some(side),
        ..Options::default()
    }
}

fn propagate() -> Options {
    Options {
        propagate_deletes: true,
        ..Options::default()
    }
}

fn planned(l: &FakeLocal, r: &FakeRemote, mode: Mode, options: Options) -> Vec<PlanItem> {
    plan(l, r, "desk", mode, options, None, &|_, _| {})
        .unwrap_or_else(|e| panic!("plan: {e}"))
        .items
}

fn item(l: &FakeLocal, r: &FakeRemote, mode: Mode, options: Options) -> PlanItem {
    let mut items = planned(l, r, mode, options);
    assert_eq!(items.len(), 1, "{items:?}");
    items.remove(0)
}

/// Plans and runs; panics on a fatal error or a failed item.
fn sync(l: &FakeLocal, r: &FakeRemote, mode: Mode, options: Options) -> Vec<PlanItem> {
    let p =
        plan(l, r, "desk", mode, options, None, &|_, _| {}).unwrap_or_else(|e| panic!("plan: {e}"));
    let report = run(l, r, &p, &|_, _| {});
    if let Some(e) = report.stopped {
        panic!("run: {e}");
    }
    let outcomes = report.outcomes;
    for o in &outcomes {
        assert!(o.error.is_none(), "{o:?}");
    }
    outcomes.into_iter().map(|o| o.item).collect()
}

/// One secret `db` in step on both sides (value `one`, description `d`, tag `env=prod`).
fn in_step() -> (FakeLocal, FakeRemote) {
    let (l, r) = (FakeLocal::new(), FakeRemote::new());
    l.with(|s| s.put("db", text("one"), "d", vec![tag("env", "prod")]));
    sync(&l, &r, Mode::Push, options());
    l.value_reads.store(0, Ordering::Relaxed);
    r.value_reads.store(0, Ordering::Relaxed);
    (l, r)
}

/// The records of secrets in step (not a create under way).
fn settled(l: &FakeLocal) -> usize {
    l.records()
        .values()
        .filter(|r| r.remote_version != crate::csms::PENDING)
        .count()
}

fn action(a: &PlanItem) -> (&Action, Option<&str>) {
    (&a.action, a.reason.as_deref())
}

#[test]
fn never_synced_on_one_side_is_created_on_the_other_within_the_mode() {
    let (l, r) = (FakeLocal::new(), FakeRemote::new());
    l.with(|s| s.put("mine", text("a"), "", vec![]));
    r.with(|s| s.put("theirs", text("b"), "", vec![]));
    let push = planned(&l, &r, Mode::Push, options());
    assert_eq!(push[0].action, Action::Create { to: Side::Remote });
    assert_eq!(
        action(&push[1]),
        (&Action::Skipped, Some("only on the remote; pull it"))
    );
    let pull = planned(&l, &r, Mode::Pull, options());
    assert_eq!(
        action(&pull[0]),
        (&Action::Skipped, Some("only local; push it"))
    );
    assert_eq!(pull[1].action, Action::Create { to: Side::Local });
    let both = sync(&l, &r, Mode::Sync, options());
    assert_eq!(both[0].action, Action::Create { to: Side::Remote });
    assert_eq!(both[1].action, Action::Create { to: Side::Local });
    assert_eq!(r.with(|s| s.current("mine").cloned()), Some(text("a")));
    assert_eq!(l.with(|s| s.current("theirs").cloned()), Some(text("b")));
    // Now in step both ways, and recorded so.
    assert_eq!(l.records().len(), 2);
    for i in planned(&l, &r, Mode::Sync, options()) {
        assert_eq!(i.action, Action::UpToDate);
    }
}

#[test]
fn never_synced_on_both_sides_compares_the_values() {
    let (l, r) = (FakeLocal::new(), FakeRemote::new());
    l.with(|s| s.put("same", text("x"), "d", vec![]));
    r.with(|s| s.put("same", text("x"), "d", vec![]));
    l.with(|s| s.put("other", text("x"), "", vec![]));
    r.with(|s| s.put("other", text("y"), "", vec![]));
    let items = sync_allowing_conflicts(&l, &r, Mode::Sync, options());
    assert_eq!(
        action(&items[0]),
        (
            &Action::Conflict,
            Some("never synced; the values differ; --prefer local or --prefer remote picks a side")
        )
    );
    assert_eq!(items[1].action, Action::UpToDate);
    // The equal one is recorded as in step; the conflict is not.
    let records = l.records();
    assert!(records.contains_key("same") && !records.contains_key("other"));
    assert_eq!(
        action(&item_named(
            &l,
            &r,
            Mode::Sync,
            prefer(Side::Local),
            "other"
        )),
        (
            &Action::NewVersion { to: Side::Remote },
            Some("conflict; --prefer local")
        )
    );
    assert_eq!(
        item_named(&l, &r, Mode::Sync, prefer(Side::Remote), "other").action,
        Action::NewVersion { to: Side::Local }
    );
}

fn item_named(l: &FakeLocal, r: &FakeRemote, mode: Mode, options: Options, name: &str) -> PlanItem {
    planned(l, r, mode, options)
        .into_iter()
        .find(|i| i.name == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

fn sync_allowing_conflicts(
    l: &FakeLocal,
    r: &FakeRemote,
    mode: Mode,
    options: Options,
) -> Vec<PlanItem> {
    let p =
        plan(l, r, "desk", mode, options, None, &|_, _| {}).unwrap_or_else(|e| panic!("plan: {e}"));
    let report = run(l, r, &p, &|_, _| {});
    if let Some(e) = report.stopped {
        panic!("run: {e}");
    }
    report.outcomes.into_iter().map(|o| o.item).collect()
}

#[test]
fn a_no_change_sync_reads_no_value() {
    let (l, r) = in_step();
    assert_eq!(item(&l, &r, Mode::Sync, options()).action, Action::UpToDate);
    assert_eq!(l.value_reads.load(Ordering::Relaxed), 0);
    assert_eq!(r.value_reads.load(Ordering::Relaxed), 0);
}

#[test]
fn a_local_change_goes_to_the_remote_but_not_by_pull() {
    let (l, r) = in_step();
    l.with(|s| s.add_version("db", text("two")));
    assert_eq!(
        action(&item(&l, &r, Mode::Pull, options())),
        (&Action::Skipped, Some("local changes; push them"))
    );
    assert_eq!(
        item(&l, &r, Mode::Push, options()).action,
        Action::NewVersion { to: Side::Remote }
    );
    sync(&l, &r, Mode::Sync, options());
    assert_eq!(r.with(|s| s.current("db").cloned()), Some(text("two")));
    assert_eq!(item(&l, &r, Mode::Sync, options()).action, Action::UpToDate);
}

#[test]
fn a_remote_change_comes_here_but_not_by_push() {
    let (l, r) = in_step();
    r.with(|s| s.add_version("db", text("two")));
    assert_eq!(
        action(&item(&l, &r, Mode::Push, options())),
        (&Action::Skipped, Some("remote changes; pull them"))
    );
    sync(&l, &r, Mode::Pull, options());
    assert_eq!(l.with(|s| s.current("db").cloned()), Some(text("two")));
    assert_eq!(item(&l, &r, Mode::Sync, options()).action, Action::UpToDate);
}

#[test]
fn changed_on_both_sides_is_a_conflict_unless_preferred() {
    let (l, r) = in_step();
    l.with(|s| s.add_version("db", text("mine")));
    r.with(|s| s.add_version("db", text("theirs")));
    let items = sync_allowing_conflicts(&l, &r, Mode::Sync, options());
    assert_eq!(
        action(&items[0]),
        (
            &Action::Conflict,
            Some(
                "changed on both sides since the last sync; --prefer local or --prefer remote picks a side"
            )
        )
    );
    // Left alone on both sides.
    assert_eq!(l.with(|s| s.current("db").cloned()), Some(text("mine")));
    assert_eq!(r.with(|s| s.current("db").cloned()), Some(text("theirs")));
    sync(&l, &r, Mode::Sync, prefer(Side::Remote));
    assert_eq!(l.with(|s| s.current("db").cloned()), Some(text("theirs")));
    assert_eq!(item(&l, &r, Mode::Sync, options()).action, Action::UpToDate);
}

#[test]
fn a_preferred_side_that_the_mode_cannot_write_is_skipped() {
    let (l, r) = in_step();
    l.with(|s| s.add_version("db", text("mine")));
    r.with(|s| s.add_version("db", text("theirs")));
    assert_eq!(
        action(&item(&l, &r, Mode::Push, prefer(Side::Remote))),
        (
            &Action::Skipped,
            Some("conflict; --prefer remote: the remote's side wins; pull it")
        )
    );
    assert_eq!(
        action(&item(&l, &r, Mode::Pull, prefer(Side::Local))),
        (
            &Action::Skipped,
            Some("conflict; --prefer local: this vault's side wins; push it")
        )
    );
    assert_eq!(
        item(&l, &r, Mode::Push, prefer(Side::Local)).action,
        Action::NewVersion { to: Side::Remote }
    );
}

#[test]
fn both_changed_to_the_same_value_is_in_step_and_recorded() {
    let (l, r) = in_step();
    let before = l.records()["db"].clone();
    l.with(|s| s.add_version("db", text("same")));
    r.with(|s| s.add_version("db", text("same")));
    assert_eq!(
        sync(&l, &r, Mode::Sync, options())[0].action,
        Action::UpToDate
    );
    let after = l.records()["db"].clone();
    assert_ne!(after.local_version, before.local_version);
    assert_ne!(after.value_mac, before.value_mac);
    // The next run reads nothing.
    l.value_reads.store(0, Ordering::Relaxed);
    r.value_reads.store(0, Ordering::Relaxed);
    assert_eq!(item(&l, &r, Mode::Sync, options()).action, Action::UpToDate);
    assert_eq!(
        l.value_reads.load(Ordering::Relaxed) + r.value_reads.load(Ordering::Relaxed),
        0
    );
}

#[test]
fn metadata_alone_updates_metadata_and_makes_no_version() {
    let (l, r) = in_step();
    l.with(|s| {
        if let Some(h) = s.secrets.get_mut("db") {
            h.description = "new words".into();
            h.tags = vec![tag("team", "core")];
        }
    });
    assert_eq!(
        sync(&l, &r, Mode::Sync, options())[0].action,
        Action::UpdateMetadata { to: Side::Remote }
    );
    r.with(|s| {
        let h = &s.secrets["db"];
        assert_eq!(h.description, "new words");
        assert_eq!(h.tags, vec![tag("team", "core")]);
        assert_eq!(h.versions.len(), 1);
    });
    // And back the other way.
    r.with(|s| {
        if let Some(h) = s.secrets.get_mut("db") {
            h.tags.push(tag("zone", "b"));
        }
    });
    assert_eq!(
        sync(&l, &r, Mode::Sync, options())[0].action,
        Action::UpdateMetadata { to: Side::Local }
    );
    assert_eq!(
        l.with(|s| s.secrets["db"].tags.clone()),
        vec![tag("team", "core"), tag("zone", "b")]
    );
    assert_eq!(item(&l, &r, Mode::Sync, options()).action, Action::UpToDate);
}

#[test]
fn deletions_are_reported_unless_propagated() {
    let (l, r) = in_step();
    l.with(|s| s.secrets.remove("db"));
    assert_eq!(
        item(&l, &r, Mode::Push, options()).action,
        Action::Deleted { on: Side::Local }
    );
    // A pull cannot write the remote: reported even with --propagate-deletes.
    assert_eq!(
        item(&l, &r, Mode::Pull, propagate()).action,
        Action::Deleted { on: Side::Local }
    );
    assert_eq!(
        sync(&l, &r, Mode::Push, propagate())[0].action,
        Action::Delete { on: Side::Remote }
    );
    assert_eq!(
        r.with(|s| s.secrets["db"].state),
        SecretState::PendingDelete
    );
    assert!(l.records().is_empty(), "gone on both sides: forgotten");

    let (l, r) = in_step();
    r.with(|s| s.secrets.remove("db"));
    assert_eq!(
        item(&l, &r, Mode::Sync, options()).action,
        Action::Deleted { on: Side::Remote }
    );
    sync(&l, &r, Mode::Pull, propagate());
    assert_eq!(
        l.with(|s| s.secrets["db"].state),
        SecretState::PendingDelete
    );
}

#[test]
fn disabled_and_pending_sources_are_skipped_with_the_reason() {
    let (l, r) = (FakeLocal::new(), FakeRemote::new());
    l.with(|s| {
        s.put("off", text("a"), "", vec![]);
        s.put("going", text("b"), "", vec![]);
        for (name, state) in [
            ("off", SecretState::Disabled),
            ("going", SecretState::PendingDelete),
        ] {
            if let Some(h) = s.secrets.get_mut(name) {
                h.state = state;
            }
        }
    });
    let items = planned(&l, &r, Mode::Push, options());
    assert_eq!(
        action(&items[0]),
        (&Action::Skipped, Some("pending deletion locally"))
    );
    assert_eq!(
        action(&items[1]),
        (&Action::Skipped, Some("disabled locally"))
    );
    // Whatever the mode: a pull says the same (not "only local; push it").
    let items = planned(&l, &r, Mode::Pull, options());
    assert_eq!(
        action(&items[1]),
        (&Action::Skipped, Some("disabled locally"))
    );
}

#[test]
fn a_dry_run_plan_writes_nothing() {
    let (l, r) = (FakeLocal::new(), FakeRemote::new());
    l.with(|s| s.put("a", text("1"), "", vec![]));
    r.with(|s| s.put("a", text("1"), "", vec![]));
    l.with(|s| s.put("b", text("2"), "", vec![]));
    let items = planned(&l, &r, Mode::Sync, options());
    assert_eq!(items[0].action, Action::UpToDate);
    assert_eq!(items[1].action, Action::Create { to: Side::Remote });
    assert!(l.records().is_empty());
    assert!(r.with(|s| !s.secrets.contains_key("b")));
    assert_eq!(l.finished.load(Ordering::Relaxed), 0);
}

#[test]
fn only_the_names_asked_are_planned() {
    let (l, r) = (FakeLocal::new(), FakeRemote::new());
    for name in ["a", "b", "c"] {
        l.with(|s| s.put(name, text(name), "", vec![]));
    }
    let names = vec!["b".to_owned()];
    let p = plan(
        &l,
        &r,
        "desk",
        Mode::Push,
        options(),
        Some(&names),
        &|_, _| {},
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.items.len(), 1);
    assert_eq!(p.items[0].name, "b");
}

#[test]
fn binary_values_cross_as_bytes() {
    let (l, r) = (FakeLocal::new(), FakeRemote::new());
    let bytes = crate::remote::Value {
        kind: crate::csms::ValueKind::Binary,
        bytes: zeroize::Zeroizing::new(vec![0, 159, 146, 150, 255]),
    };
    r.with(|s| s.put("blob", bytes.clone(), "", vec![]));
    sync(&l, &r, Mode::Pull, options());
    assert_eq!(l.with(|s| s.current("blob").cloned()), Some(bytes));
    assert_eq!(item(&l, &r, Mode::Sync, options()).action, Action::UpToDate);
}

#[test]
fn a_push_killed_midway_then_run_again_creates_each_secret_and_version_once() {
    let (l, r) = (FakeLocal::new(), FakeRemote::new());
    for n in 0..150 {
        l.with(|s| {
            s.put(
                &format!("s{n:03}"),
                text(&format!("value {n}")),
                "d",
                vec![tag("k", "v")],
            );
        });
    }
    // The remote goes away after 100 writes: what was done is recorded, then the run stops.
    *r.writes_left
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(100);
    let p = plan(&l, &r, "desk", Mode::Push, options(), None, &|_, _| {})
        .unwrap_or_else(|e| panic!("{e}"));
    let report = run(&l, &r, &p, &|_, _| {});
    assert_eq!(
        report.stopped.map(|e| e.code),
        Some(ErrorCode::RemoteUnreachable)
    );
    assert_eq!(settled(&l), 100, "the writes done are recorded");
    // The outcomes of the batches run are kept: the first batch done, the second done up to
    // the remote's death, the rest of it failed; the third never started.
    assert_eq!(report.outcomes.len(), 2 * super::BATCH);
    let done = report.outcomes.iter().filter(|o| o.error.is_none()).count();
    assert_eq!(done, 100);
    assert!(
        report.outcomes[100..]
            .iter()
            .all(|o| o.error.as_ref().map(|e| e.code) == Some(ErrorCode::RemoteUnreachable))
    );
    assert_eq!(l.finished.load(Ordering::Relaxed), 0);
    *r.writes_left
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    let items = sync(&l, &r, Mode::Push, options());
    let count = |a: &Action| items.iter().filter(|i| &i.action == a).count();
    assert_eq!(count(&Action::UpToDate), 100);
    assert_eq!(count(&Action::Create { to: Side::Remote }), 50);
    r.with(|s| {
        assert_eq!(s.secrets.len(), 150);
        for (name, held) in &s.secrets {
            assert_eq!(held.versions.len(), 1, "{name} has one version");
        }
    });
    assert_eq!(l.records().len(), 150);
    assert_eq!(l.finished.load(Ordering::Relaxed), 1);
}

#[test]
fn a_push_killed_before_its_state_was_saved_finds_its_work_done() {
    let (l, r) = (FakeLocal::new(), FakeRemote::new());
    for n in 0..150 {
        l.with(|s| {
            s.put(
                &format!("s{n:03}"),
                text(&format!("value {n}")),
                "d",
                vec![tag("k", "v")],
            );
        });
    }
    // Killed after the second batch's writes, before its state was saved (each batch saves its
    // creates as under way, then what is in step).
    *l.saves_left
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(3);
    let p = plan(&l, &r, "desk", Mode::Push, options(), None, &|_, _| {})
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(run(&l, &r, &p, &|_, _| {}).stopped.is_some());
    assert_eq!(settled(&l), 64);
    assert_eq!(r.with(|s| s.secrets.len()), 128);
    *l.saves_left
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    // The 64 written but unrecorded are found equal on both sides: in step, not created again.
    let items = sync(&l, &r, Mode::Push, options());
    let count = |a: &Action| items.iter().filter(|i| &i.action == a).count();
    assert_eq!(count(&Action::UpToDate), 128);
    assert_eq!(count(&Action::Create { to: Side::Remote }), 22);
    r.with(|s| {
        assert_eq!(s.secrets.len(), 150);
        for (name, held) in &s.secrets {
            assert_eq!(held.versions.len(), 1, "{name} has one version");
        }
    });
    assert_eq!(l.records().len(), 150);
    assert_eq!(
        item_named(&l, &r, Mode::Sync, options(), "s100").action,
        Action::UpToDate
    );
}

#[test]
fn a_new_version_whose_tags_failed_is_finished_without_a_second_version() {
    let (l, r) = in_step();
    l.with(|s| {
        s.add_version("db", text("two"));
        if let Some(h) = s.secrets.get_mut("db") {
            h.tags = vec![tag("env", "dev")];
        }
    });
    // The version goes through, the tags do not.
    *r.writes_left
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(1);
    let p = plan(&l, &r, "desk", Mode::Push, options(), None, &|_, _| {})
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(run(&l, &r, &p, &|_, _| {}).stopped.is_some());
    *r.writes_left
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    assert_eq!(
        sync(&l, &r, Mode::Push, options())[0].action,
        Action::UpdateMetadata { to: Side::Remote }
    );
    r.with(|s| {
        let h = &s.secrets["db"];
        assert_eq!(h.versions.len(), 2);
        assert_eq!(h.tags, vec![tag("env", "dev")]);
    });
}

#[test]
fn a_name_asked_that_neither_side_has_is_said_so() {
    let (l, r) = (FakeLocal::new(), FakeRemote::new());
    let names = vec!["ghost".to_owned()];
    let p = plan(
        &l,
        &r,
        "desk",
        Mode::Sync,
        options(),
        Some(&names),
        &|_, _| {},
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.items.len(), 1);
    assert_eq!(
        action(&p.items[0]),
        (&Action::Skipped, Some("no such secret on either side"))
    );
    // It fails (the run is not clean), in the plan as in the run.
    assert_eq!(p.error(0).map(|e| e.code), Some(ErrorCode::SecretNotFound));
    let report = run(&l, &r, &p, &|_, _| {});
    assert!(report.stopped.is_none());
    assert_eq!(
        report.outcomes[0].error.as_ref().map(|e| e.code),
        Some(ErrorCode::SecretNotFound)
    );
}

#[test]
fn a_value_that_cannot_be_read_fails_the_item() {
    let (l, r) = (FakeLocal::new(), FakeRemote::new());
    l.with(|s| s.put("db", text("mine"), "", vec![]));
    r.with(|s| s.put("db", text("theirs"), "", vec![]));
    *r.unreadable
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some("db".into());
    let p = plan(&l, &r, "desk", Mode::Sync, options(), None, &|_, _| {})
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        action(&p.items[0]),
        (&Action::Skipped, Some("cannot read the remote value"))
    );
    assert_eq!(p.error(0).map(|e| e.code), Some(ErrorCode::RemoteRefused));
    let report = run(&l, &r, &p, &|_, _| {});
    assert!(report.stopped.is_none());
    assert_eq!(
        report.outcomes[0].error.as_ref().map(|e| e.code),
        Some(ErrorCode::RemoteRefused),
        "failed, not skipped quietly"
    );
    assert_eq!(l.with(|s| s.current("db").cloned()), Some(text("mine")));
    assert!(l.records().is_empty());
}

#[test]
fn both_given_the_same_new_metadata_is_recorded_so_the_next_run_is_quiet() {
    let (l, r) = in_step();
    let set = |h: &mut fakes::Held| h.description = "same words".into();
    l.with(|s| s.secrets.get_mut("db").map(set));
    r.with(|s| s.secrets.get_mut("db").map(set));
    let before = l.records()["db"].meta_mac.clone();
    assert_eq!(
        sync(&l, &r, Mode::Sync, options())[0].action,
        Action::UpToDate
    );
    assert_ne!(
        l.records()["db"].meta_mac,
        before,
        "the new metadata is recorded"
    );
    // Now only the remote changes its description: that is a remote change, not a conflict.
    r.with(|s| {
        s.secrets
            .get_mut("db")
            .map(|h| h.description = "theirs".into())
    });
    assert_eq!(
        item(&l, &r, Mode::Sync, options()).action,
        Action::UpdateMetadata { to: Side::Local }
    );
}

#[test]
fn a_deletion_pending_locally_is_propagated_and_then_forgotten() {
    let (l, r) = in_step();
    l.with(|s| {
        s.secrets
            .get_mut("db")
            .map(|h| h.state = SecretState::PendingDelete)
    });
    assert_eq!(
        item(&l, &r, Mode::Sync, options()).action,
        Action::Deleted { on: Side::Local }
    );
    assert_eq!(
        sync(&l, &r, Mode::Sync, propagate())[0].action,
        Action::Delete { on: Side::Remote }
    );
    assert_eq!(
        r.with(|s| s.secrets["db"].state),
        SecretState::PendingDelete
    );
    assert!(l.records().is_empty());
}

#[test]
fn a_create_recorded_as_under_way_is_finished_or_made_never_a_conflict() {
    // The record a run saves before its create is sent (the remote's CreateSecret carries no tags).
    let pending = |l: &FakeLocal| {
        let p = plan(
            l,
            &FakeRemote::new(),
            "desk",
            Mode::Push,
            options(),
            None,
            &|_, _| {},
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let local = p.work[0]
            .local
            .clone()
            .unwrap_or_else(|| panic!("no local secret"));
        let value = l
            .with(|s| s.current("db").cloned())
            .unwrap_or_else(|| text(""));
        let record = crate::csms::SyncRecord {
            name: "db".to_owned(),
            local_id: local.id.clone(),
            remote_id: String::new(),
            local_version: local.current_version.unwrap_or_default(),
            remote_version: crate::csms::PENDING.to_owned(),
            value_mac: p.key.value(&value),
            meta_mac: p.key.meta(&local.description, &local.tags),
            synced_at: 1,
        };
        l.records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert("db".to_owned(), record);
    };
    // Killed after the create, before its tags: the tags follow, in a sync as in a push.
    for mode in [Mode::Push, Mode::Sync] {
        let (l, r) = (FakeLocal::new(), FakeRemote::new());
        l.with(|s| s.put("db", text("one"), "d", vec![tag("env", "prod")]));
        r.with(|s| s.put("db", text("one"), "d", Vec::new()));
        pending(&l);
        assert_eq!(
            sync(&l, &r, mode, options())[0].action,
            Action::UpdateMetadata { to: Side::Remote },
            "{mode:?}"
        );
        r.with(|s| {
            assert_eq!(s.secrets["db"].versions.len(), 1);
            assert_eq!(s.secrets["db"].tags, vec![tag("env", "prod")]);
        });
        assert_eq!(item(&l, &r, Mode::Sync, options()).action, Action::UpToDate);
    }
    // Killed before the create landed: made, not reported deleted on the remote.
    let (l, r) = (FakeLocal::new(), FakeRemote::new());
    l.with(|s| s.put("db", text("one"), "d", vec![tag("env", "prod")]));
    pending(&l);
    assert_eq!(
        sync(&l, &r, Mode::Sync, options())[0].action,
        Action::Create { to: Side::Remote }
    );
    r.with(|s| assert_eq!(s.secrets["db"].versions.len(), 1));
}

fn all_versions() -> Options {
    Options {
        all_versions: true,
        ..Options::default()
    }
}

/// Each side's values of `name`, oldest first, as text.
fn history(values: &[crate::remote::Value]) -> Vec<String> {
    values
        .iter()
        .map(|v| String::from_utf8_lossy(&v.bytes).into_owned())
        .collect()
}

fn remote_history(r: &FakeRemote, name: &str) -> Vec<String> {
    history(&r.with(|s| {
        s.secrets[name]
            .versions
            .iter()
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>()
    }))
}

fn local_history(l: &FakeLocal, name: &str) -> Vec<String> {
    history(&l.with(|s| {
        s.secrets[name]
            .versions
            .iter()
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>()
    }))
}

#[test]
fn all_versions_push_carries_every_version_in_order_and_a_rerun_does_nothing() {
    let (l, r) = (FakeLocal::new(), FakeRemote::new());
    l.with(|s| {
        s.put("db", text("one"), "d", vec![tag("env", "prod")]);
        s.add_version("db", text("two"));
        s.add_version("db", text("three"));
    });
    let items = sync(&l, &r, Mode::Push, all_versions());
    assert_eq!(items[0].action, Action::Create { to: Side::Remote });
    assert_eq!(remote_history(&r, "db"), ["one", "two", "three"]);
    assert_eq!(
        r.with(|s| s.secrets["db"].tags.clone()),
        [tag("env", "prod")]
    );
    assert_eq!(l.records()["db"].remote_version, "r3");
    let links: Vec<(String, String)> = l
        .links()
        .into_iter()
        .map(|k| (k.local_version, k.remote_version))
        .collect();
    assert_eq!(
        links,
        [("v1", "r1"), ("v2", "r2"), ("v3", "r3")].map(|(a, b)| (a.to_owned(), b.to_owned())),
        "each local version linked to the remote one made from it"
    );

    l.value_reads.store(0, Ordering::Relaxed);
    r.value_reads.store(0, Ordering::Relaxed);
    r.version_lists.store(0, Ordering::Relaxed);
    let again = sync(&l, &r, Mode::Push, all_versions());
    assert_eq!(again[0].action, Action::UpToDate);
    assert_eq!(remote_history(&r, "db").len(), 3);
    assert_eq!(l.value_reads.load(Ordering::Relaxed), 0, "no value read");
    assert_eq!(r.value_reads.load(Ordering::Relaxed), 0, "no value read");
    assert_eq!(
        r.version_lists.load(Ordering::Relaxed),
        0,
        "no versions listed when nothing moved"
    );

    l.with(|s| s.add_version("db", text("four")));
    r.value_reads.store(0, Ordering::Relaxed);
    let items = sync(&l, &r, Mode::Push, all_versions());
    assert_eq!(items[0].action, Action::NewVersion { to: Side::Remote });
    assert_eq!(remote_history(&r, "db"), ["one", "two", "three", "four"]);
    assert_eq!(
        r.value_reads.load(Ordering::Relaxed),
        0,
        "the linked versions are not read again"
    );
}

#[test]
fn all_versions_push_killed_mid_versions_then_rerun_makes_each_version_once() {
    let (l, r) = (FakeLocal::new(), FakeRemote::new());
    l.with(|s| {
        s.put("db", text("one"), "", vec![]);
        for v in ["two", "three", "four"] {
            s.add_version("db", text(v));
        }
    });
    // The create and one version, then the remote dies.
    *r.writes_left
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(2);
    let p = plan(&l, &r, "desk", Mode::Push, all_versions(), None, &|_, _| {})
        .unwrap_or_else(|e| panic!("plan: {e}"));
    assert!(
        run(&l, &r, &p, &|_, _| {}).stopped.is_some(),
        "the remote died"
    );
    assert_eq!(remote_history(&r, "db"), ["one", "two"]);
    *r.writes_left
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = None;

    let items = sync(&l, &r, Mode::Push, all_versions());
    assert_eq!(
        items[0].action,
        Action::NewVersion { to: Side::Remote },
        "{items:?}"
    );
    assert_eq!(
        remote_history(&r, "db"),
        ["one", "two", "three", "four"],
        "every version exactly once"
    );
    assert_eq!(
        sync(&l, &r, Mode::Push, all_versions())[0].action,
        Action::UpToDate
    );
}

#[test]
fn all_versions_pull_creates_locally_with_every_version() {
    let (l, r) = (FakeLocal::new(), FakeRemote::new());
    r.with(|s| {
        s.put("api", text("a1"), "remote one", vec![tag("t", "1")]);
        s.add_version("api", text("a2"));
    });
    let items = sync(&l, &r, Mode::Pull, all_versions());
    assert_eq!(items[0].action, Action::Create { to: Side::Local });
    assert_eq!(local_history(&l, "api"), ["a1", "a2"]);
    assert_eq!(l.records()["api"].remote_version, "r2");

    r.with(|s| s.add_version("api", text("a3")));
    let items = sync(&l, &r, Mode::Pull, all_versions());
    assert_eq!(items[0].action, Action::NewVersion { to: Side::Local });
    assert_eq!(local_history(&l, "api"), ["a1", "a2", "a3"]);
}

fn ver(id: &str, stages: &[&str], expire_time: Option<i64>) -> super::versions::Ver {
    super::versions::Ver {
        id: id.into(),
        stages: stages.iter().map(|s| (*s).to_owned()).collect(),
        expire_time,
    }
}

/// The remote after a create carrying four versions with explicit stages: `SYSCURRENT`'s
/// arrival gave `SYSPREVIOUS` to the first version; one stage write puts it back on the third,
/// one expiry write sets the first version's (a create takes none).
#[test]
fn all_versions_stages_and_expiry_are_set_as_the_source_has_them() {
    use super::versions::{Fix, fixes, put_stages};
    let source = [
        ver("v1", &[], Some(5)),
        ver("v2", &["canary"], Some(7)),
        ver("v3", &["SYSPREVIOUS"], None),
        ver("v4", &["SYSCURRENT"], None),
    ];
    let mut target = vec![ver("r1", &["SYSCURRENT"], None)];
    for (id, stages) in [
        ("r2", vec!["canary".to_owned()]),
        ("r3", vec!["SYSPREVIOUS".to_owned()]),
        ("r4", vec!["SYSCURRENT".to_owned()]),
    ] {
        target.push(ver(id, &[], if id == "r2" { Some(7) } else { None }));
        put_stages(&mut target, id, &stages);
    }
    assert_eq!(target[0].stages, ["SYSPREVIOUS"], "moved with SYSCURRENT");
    assert!(target[2].stages.is_empty());
    let mapping: Vec<(String, String)> = (1..=4)
        .map(|n| (format!("v{n}"), format!("r{n}")))
        .collect();
    assert_eq!(
        fixes(&source, &target, &mapping),
        [
            Fix::Stage {
                stage: "SYSPREVIOUS".into(),
                version_id: "r3".into()
            },
            Fix::Expiry {
                version_id: "r1".into(),
                expire_time: 5
            },
        ]
    );
    assert!(
        fixes(
            &source,
            &source,
            &(1..=4)
                .map(|n| (format!("v{n}"), format!("v{n}")))
                .collect::<Vec<_>>()
        )
        .is_empty(),
        "nothing to set when they already agree"
    );
}

/// Never synced, the same versions, the current one differing: still a conflict under
/// `--all-versions` (nothing to carry); a remote holding only older values of the local secret
/// is finished instead.
#[test]
fn all_versions_finishes_only_a_conflict_that_versions_settle() {
    let (l, r) = (FakeLocal::new(), FakeRemote::new());
    l.with(|s| {
        s.put("db", text("one"), "", vec![]);
        s.add_version("db", text("two"));
    });
    r.with(|s| {
        s.put("db", text("two"), "", vec![]);
        s.add_version("db", text("one"));
    });
    assert_eq!(
        item(&l, &r, Mode::Push, all_versions()).action,
        Action::Conflict
    );
    let (l, r) = (FakeLocal::new(), FakeRemote::new());
    l.with(|s| {
        s.put("db", text("one"), "", vec![tag("t", "1")]);
        s.add_version("db", text("two"));
    });
    r.with(|s| s.put("db", text("one"), "", vec![]));
    assert_eq!(item(&l, &r, Mode::Push, options()).action, Action::Conflict);
    let items = sync(&l, &r, Mode::Push, all_versions());
    assert_eq!(items[0].action, Action::NewVersion { to: Side::Remote });
    assert_eq!(remote_history(&r, "db"), ["one", "two"]);
    assert_eq!(r.with(|s| s.secrets["db"].tags.clone()), [tag("t", "1")]);
}

#[test]
fn a_pending_create_over_another_value_by_that_name_is_a_conflict_not_overwritten() {
    let (l, r) = (FakeLocal::new(), FakeRemote::new());
    l.with(|s| s.put("db", text("one"), "d", vec![tag("env", "prod")]));
    // The create never landed: another machine made `db` there with its own value.
    r.with(|s| s.put("db", text("theirs"), "d", Vec::new()));
    let p = plan(
        &l,
        &FakeRemote::new(),
        "desk",
        Mode::Push,
        options(),
        None,
        &|_, _| {},
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let local = p.work[0]
        .local
        .clone()
        .unwrap_or_else(|| panic!("no local secret"));
    let record = crate::csms::SyncRecord {
        name: "db".to_owned(),
        local_id: local.id.clone(),
        remote_id: String::new(),
        local_version: local.current_version.unwrap_or_default(),
        remote_version: crate::csms::PENDING.to_owned(),
        value_mac: p.key.value(&text("one")),
        meta_mac: p.key.meta(&local.description, &local.tags),
        synced_at: 1,
    };
    l.records
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert("db".to_owned(), record);
    for mode in [Mode::Push, Mode::Sync] {
        assert_eq!(
            item(&l, &r, mode, options()).action,
            Action::Conflict,
            "{mode:?}"
        );
    }
    r.with(|s| assert_eq!(s.current("db"), Some(&text("theirs"))));
}

#[test]
fn a_secret_deleted_and_created_again_is_not_taken_for_the_one_synced() {
    // The remote's `db` deleted and created again with another value: a new secret's version
    // ids start over, so its current version has the id recorded for the old one.
    let (l, r) = in_step();
    let recorded = l.records()["db"].remote_version.clone();
    r.with(|s| s.recreate("db", text("theirs"), &recorded));
    for mode in [Mode::Push, Mode::Pull, Mode::Sync] {
        let it = item(&l, &r, mode, options());
        assert_eq!(it.action, Action::Conflict, "{mode:?}: {it:?}");
        assert!(
            it.reason
                .as_deref()
                .is_some_and(|why| why.starts_with("never synced; the values differ")),
            "{it:?}"
        );
    }
    // Settled by a side, the new secret is recorded, and then in step.
    sync(&l, &r, Mode::Push, prefer(Side::Local));
    assert_eq!(r.with(|s| s.current("db").cloned()), Some(text("one")));
    assert_eq!(item(&l, &r, Mode::Sync, options()).action, Action::UpToDate);

    // Likewise a local secret deleted and created again: never overwritten by the old record.
    let (l, r) = in_step();
    let recorded = l.records()["db"].local_version.clone();
    l.with(|s| s.recreate("db", text("mine"), &recorded));
    assert_eq!(item(&l, &r, Mode::Pull, options()).action, Action::Conflict);
    assert_eq!(item(&l, &r, Mode::Push, options()).action, Action::Conflict);
    assert_eq!(r.with(|s| s.current("db").cloned()), Some(text("one")));
}

#[test]
fn version_links_of_a_secret_created_again_are_not_trusted() {
    let (l, r) = (FakeLocal::new(), FakeRemote::new());
    l.with(|s| {
        s.put("db", text("a"), "", vec![]);
        s.add_version("db", text("b"));
    });
    sync(&l, &r, Mode::Push, all_versions());
    assert_eq!(l.links().len(), 2);
    // The remote's secret created again with the same version ids, other values.
    let old = r.with(|s| s.secrets["db"].versions.clone());
    r.with(|s| {
        s.recreate("db", text("x"), &old[0].0);
        let held = s.secrets.get_mut("db").unwrap_or_else(|| panic!("no db"));
        held.versions.push((old[1].0.clone(), text("y")));
        held.current = 1;
    });
    // Not in step by the old links: both values compared, a conflict.
    assert_eq!(
        item(&l, &r, Mode::Push, all_versions()).action,
        Action::Conflict
    );
    // Settled by the local side: every local version carried again, new links recorded.
    sync(
        &l,
        &r,
        Mode::Push,
        Options {
            prefer: Some(Side::Local),
            ..all_versions()
        },
    );
    assert_eq!(r.with(|s| s.current("db").cloned()), Some(text("b")));
    // Every link pairs versions holding the same value.
    for link in l.links() {
        let here = l.with(|s| s.value_of("db", &link.local_version).ok());
        let there = r.with(|s| s.value_of("db", &link.remote_version).ok());
        assert!(here.is_some() && here == there, "{link:?}");
    }
}

#[test]
fn a_name_breaking_the_name_rule_is_refused_before_anything_is_read() {
    let (l, r) = in_step();
    let names = vec!["db".to_owned(), "nosuch".to_owned(), "bad name".to_owned()];
    let refused = plan(
        &l,
        &r,
        "desk",
        Mode::Push,
        options(),
        Some(&names),
        &|_, _| {},
    )
    .err();
    assert_eq!(refused.map(|e| e.code), Some(ErrorCode::InvalidParameter));
    assert_eq!(
        super::check_names(&names).err().map(|e| e.code),
        Some(ErrorCode::InvalidParameter)
    );
    assert!(super::check_names(&names[..2]).is_ok());
    assert_eq!(l.value_reads.load(Ordering::Relaxed), 0);
    assert_eq!(r.value_reads.load(Ordering::Relaxed), 0);
}

#[test]
fn a_change_made_after_the_plan_is_not_overwritten() {
    // The remote moves between the plan and the run: the push fails that item, run again.
    let (l, r) = in_step();
    l.with(|s| s.add_version("db", text("mine")));
    let p = plan(&l, &r, "desk", Mode::Push, options(), None, &|_, _| {})
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.items[0].action, Action::NewVersion { to: Side::Remote });
    r.with(|s| s.add_version("db", text("theirs, meanwhile")));
    let report = run(&l, &r, &p, &|_, _| {});
    assert!(report.stopped.is_none());
    let error = report.outcomes[0]
        .error
        .as_ref()
        .map(|e| e.error_msg.clone());
    assert_eq!(
        error.as_deref(),
        Some("db changed on the remote since the plan; run again.")
    );
    assert_eq!(
        r.with(|s| s.current("db").cloned()),
        Some(text("theirs, meanwhile"))
    );
    // Run again: now a conflict, told as such.
    assert_eq!(item(&l, &r, Mode::Push, options()).action, Action::Conflict);

    // Likewise locally: a pull does not overwrite a local change made after its plan, nor
    // metadata.
    let (l, r) = in_step();
    r.with(|s| {
        s.secrets
            .get_mut("db")
            .map(|h| h.description = "new".into())
    });
    let p = plan(&l, &r, "desk", Mode::Pull, options(), None, &|_, _| {})
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        p.items[0].action,
        Action::UpdateMetadata { to: Side::Local }
    );
    l.with(|s| {
        s.secrets
            .get_mut("db")
            .map(|h| h.tags.push(tag("owner", "me")))
    });
    let report = run(&l, &r, &p, &|_, _| {});
    assert!(report.outcomes[0].error.is_some(), "{report:?}");
    l.with(|s| assert_eq!(s.secrets["db"].description, "d"));
}

#[test]
fn the_standing_of_a_secret_created_again_is_never_synced() {
    use super::status::{Standing, standing};
    let (l, r) = in_step();
    let p = plan(&l, &r, "desk", Mode::Sync, options(), None, &|_, _| {})
        .unwrap_or_else(|e| panic!("{e}"));
    let (local, remote) = (p.work[0].local.clone(), p.work[0].remote.clone());
    let record = l.records().get("db").cloned();
    let of = |remote: Option<&crate::remote::RemoteSecret>| {
        standing(&p.key, local.as_ref(), remote, record.as_ref())
    };
    assert_eq!(of(remote.as_ref()), Standing::InStep);
    // The same version id and metadata, another secret (deleted and created again).
    let again = remote.map(|r| crate::remote::RemoteSecret {
        id: "another".into(),
        ..r
    });
    assert_eq!(of(again.as_ref()), Standing::NeverSynced);
}

/// Saves the record a run saves before creating `db` on the remote with `value`.
fn record_pending_create(l: &FakeLocal, value: &str) {
    let p = plan(
        l,
        &FakeRemote::new(),
        "desk",
        Mode::Push,
        options(),
        None,
        &|_, _| {},
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let local = p.work[0]
        .local
        .clone()
        .unwrap_or_else(|| panic!("no local secret"));
    let record = crate::csms::SyncRecord {
        name: "db".to_owned(),
        local_version: local.current_version.unwrap_or_default(),
        remote_version: crate::csms::PENDING.to_owned(),
        value_mac: p.key.value(&text(value)),
        meta_mac: p.key.meta(&local.description, &local.tags),
        synced_at: 1,
        local_id: String::new(),
        remote_id: String::new(),
    };
    l.records
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert("db".to_owned(), record);
}

#[test]
fn a_create_that_never_landed_of_a_secret_since_deleted_is_forgotten_not_failed_forever() {
    let (l, r) = (FakeLocal::new(), FakeRemote::new());
    l.with(|s| s.put("db", text("one"), "d", Vec::new()));
    record_pending_create(&l, "one");
    l.with(|s| s.secrets.remove("db"));
    let items = sync(&l, &r, Mode::Sync, options());
    assert_eq!(items[0].action, Action::UpToDate, "{items:?}");
    assert!(l.records().is_empty(), "the record is dropped");
}

#[test]
fn a_pending_create_whose_name_someone_else_holds_is_never_deleted_there() {
    let (l, r) = (FakeLocal::new(), FakeRemote::new());
    l.with(|s| s.put("db", text("one"), "d", Vec::new()));
    record_pending_create(&l, "one");
    // The create never landed: the name is someone else's there; then deleted here.
    r.with(|s| s.put("db", text("theirs"), "d", Vec::new()));
    l.with(|s| s.secrets.remove("db"));
    let it = item(&l, &r, Mode::Sync, propagate());
    assert_ne!(it.action, Action::Delete { on: Side::Remote }, "{it:?}");
    assert!(!matches!(it.action, Action::Deleted { .. }), "{it:?}");
}
