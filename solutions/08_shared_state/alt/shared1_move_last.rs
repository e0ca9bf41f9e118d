// ALT: clones the handle for all readers but the last, which takes the caller's handle itself
use std::sync::Arc;
use std::thread::{self, JoinHandle};

/// Read-only settings that every reader needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub name: String,
    pub limits: Vec<u32>,
}

/// Starts `readers` threads; reader `id` runs `read(id, &settings)`. Returns at once with
/// their handles: the readers keep the settings alive for as long as they run.
pub fn start_readers<R, F>(settings: Arc<Settings>, readers: usize, read: F) -> Vec<JoinHandle<R>>
where
    F: Fn(usize, &Settings) -> R + Clone + Send + 'static,
    R: Send + 'static,
{
    let mut handles = Vec::with_capacity(readers);
    let mut settings = Some(settings);
    for id in 0..readers {
        let mine = if id + 1 == readers {
            settings.take().expect("the caller's handle is taken once")
        } else {
            Arc::clone(settings.as_ref().expect("taken only by the last reader"))
        };
        let read = read.clone();
        handles.push(thread::spawn(move || read(id, &mine)));
    }
    handles
}

fn main() {
    let settings = Arc::new(Settings {
        name: "production".to_string(),
        limits: vec![10, 20, 30],
    });
    let handles = start_readers(Arc::clone(&settings), 3, |id, settings: &Settings| {
        format!(
            "reader {id} sees {} limit {}",
            settings.name, settings.limits[id]
        )
    });
    println!(
        "handles to the settings right now: {}",
        Arc::strong_count(&settings)
    );
    for handle in handles {
        println!("{}", handle.join().expect("a reader panicked"));
    }
    println!(
        "handles once the readers are done: {}",
        Arc::strong_count(&settings)
    );
}
