//! The same input gives byte-identical output, run after run and thread after thread.

mod common;

#[test]
fn rendering_twice_gives_identical_bytes() {
    let t = common::cascade();
    assert_eq!(plots::timeline_svg(&t).unwrap(), plots::timeline_svg(&t).unwrap());
    assert_eq!(plots::timeline_png(&t).unwrap(), plots::timeline_png(&t).unwrap());
    let s = common::sweep();
    assert_eq!(plots::sweep_svg(&s).unwrap(), plots::sweep_svg(&s).unwrap());
    assert_eq!(plots::sweep_png(&s).unwrap(), plots::sweep_png(&s).unwrap());
    let h = common::heatmap();
    assert_eq!(plots::heatmap_svg(&h).unwrap(), plots::heatmap_svg(&h).unwrap());
    assert_eq!(plots::heatmap_png(&h).unwrap(), plots::heatmap_png(&h).unwrap());
}

#[test]
fn concurrent_first_use_gives_identical_bytes() {
    // Font registration is process-global; rendering from several threads at once (possibly
    // the first renders of this process) must still give the same bytes.
    let t = common::cascade();
    let outputs: Vec<(String, Vec<u8>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| (plots::timeline_svg(&t).unwrap(), plots::timeline_png(&t).unwrap())))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for o in &outputs[1..] {
        assert!(o == &outputs[0], "outputs differ between threads");
    }
}
