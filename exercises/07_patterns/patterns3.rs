//! # Request and response: a tiny actor
//!
//! An *actor* is a thread that owns some state outright and changes it only in answer
//! to messages. No lock is needed: one thread handles the requests, one at a time, so
//! each one sees the effects of all those before it. Clients hold a cheap, cloneable
//! *handle* wrapping the actor's `Sender`.
//!
//! To get an answer back, a request carries its own reply channel: the handle creates a
//! fresh `bounded(1)` channel, sends the request with the reply `Sender` inside, and
//! waits on the `Receiver`. When every handle has been dropped, the request channel
//! closes, the actor's loop ends, and the actor thread returns its final state.
//!
//! The actor below handles `Balance` requests only, and its loop panics when the last
//! handle goes away. Write `deposit` and `withdraw` like `balance`, and let the actor end
//! cleanly.
//!
//! - crossbeam-channel: <https://docs.rs/crossbeam-channel/latest/crossbeam_channel/>
//! - Alice Ryhl, "Actors with Tokio" (the same pattern, with threads instead of tasks):
//!   <https://ryhl.io/blog/actors-with-tokio/>
//! - rust_howto, message passing:
//!   <https://john-cd.com/rust_howto/categories/concurrency/message_passing.html>

use crossbeam::channel::{Receiver, Sender, bounded, unbounded};
use std::thread::{self, JoinHandle};

/// A withdrawal larger than the balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Insufficient {
    pub balance: u64,
    pub requested: u64,
}

/// What a handle can ask the actor, each with the channel to answer on.
enum Request {
    Deposit {
        amount: u64,
        reply: Sender<u64>,
    },
    Withdraw {
        amount: u64,
        reply: Sender<Result<u64, Insufficient>>,
    },
    Balance {
        reply: Sender<u64>,
    },
}

/// A handle to an account actor. Clone it freely: every clone talks to the same actor.
#[derive(Clone)]
pub struct Account {
    requests: Sender<Request>,
}

/// Starts an account actor holding `initial`. The actor runs until every `Account`
/// handle has been dropped, then its thread returns the final balance.
pub fn spawn_account(initial: u64) -> (Account, JoinHandle<u64>) {
    let (requests, inbox) = unbounded();
    let actor = thread::spawn(move || run_actor(initial, inbox));
    (Account { requests }, actor)
}

fn run_actor(mut balance: u64, inbox: Receiver<Request>) -> u64 {
    loop {
        // TODO: `recv` fails once every handle is gone, which is how the actor should end.
        let request = inbox.recv().unwrap();
        // A client that gave up waiting dropped its reply Receiver; ignore that.
        match request {
            Request::Balance { reply } => {
                let _ = reply.send(balance);
            }
            // TODO: handle deposits and withdrawals. A withdrawal larger than the balance
            // is refused with `Insufficient`, and leaves the balance unchanged.
            _ => todo!("handle this request"),
        }
    }
}

impl Account {
    /// Adds `amount`; returns the new balance.
    pub fn deposit(&self, amount: u64) -> u64 {
        // TODO: send a `Request::Deposit`, like `balance` below does.
        todo!("deposit {amount}")
    }

    /// Takes `amount` out if the balance allows it; returns the new balance.
    pub fn withdraw(&self, amount: u64) -> Result<u64, Insufficient> {
        // TODO: send a `Request::Withdraw`.
        todo!("withdraw {amount}")
    }

    /// The current balance.
    pub fn balance(&self) -> u64 {
        self.ask(|reply| Request::Balance { reply })
    }

    /// Sends one request with a fresh reply channel, and waits for the answer.
    fn ask<T>(&self, request: impl FnOnce(Sender<T>) -> Request) -> T {
        // Capacity 1: the actor's reply never blocks it, even if we stop waiting.
        let (reply, answer) = bounded(1);
        self.requests
            .send(request(reply))
            .expect("the account actor has stopped");
        answer
            .recv()
            .expect("the account actor dropped the request")
    }
}

fn main() {
    let (account, actor) = spawn_account(100);
    let clients: Vec<_> = (1..=3)
        .map(|client| {
            let account = account.clone();
            thread::spawn(move || {
                let after = account.deposit(client * 10);
                println!("client {client} deposited {}: balance {after}", client * 10);
                match account.withdraw(25) {
                    Ok(after) => println!("client {client} withdrew 25: balance {after}"),
                    Err(refused) => println!("client {client} was refused: {refused:?}"),
                }
            })
        })
        .collect();
    for client in clients {
        client.join().unwrap();
    }
    println!("balance before closing: {}", account.balance());
    drop(account);
    println!("the actor ended with {}", actor.join().unwrap());
}

#[cfg(test)]
mod tests {
    use super::*;
    use threadlings_testkit::{Rendezvous, Waited, Watch};

    /// Joins the actor, failing clearly (and at once) if it does not end or if it
    /// panicked. `watch` was started before the actor.
    fn final_balance(watch: &Watch, actor: JoinHandle<u64>) -> u64 {
        match watch.wait(&|| actor.is_finished()) {
            Waited::Finished => {}
            Waited::Blocked => panic!(
                "the actor is still waiting although every Account was dropped: something \
                 still holds a request Sender"
            ),
            Waited::Busy(seen) => panic!(
                "the actor is still running although every Account was dropped ({seen}): a \
                 closed request channel is its way out, so end the loop there (`for request \
                 in inbox`)"
            ),
        }
        actor.join().unwrap_or_else(|_| {
            panic!(
                "the actor panicked once the last Account was dropped: a closed request \
                 channel is its normal way out, so end the loop there (`for request in \
                 inbox`)"
            )
        })
    }

    #[test]
    fn a_single_client_gets_exact_answers() {
        let watch = Watch::start();
        let (account, actor) = spawn_account(100);
        assert_eq!(account.deposit(50), 150);
        assert_eq!(account.withdraw(30), Ok(120));
        assert_eq!(
            account.withdraw(500),
            Err(Insufficient {
                balance: 120,
                requested: 500
            })
        );
        assert_eq!(account.balance(), 120);
        drop(account);
        assert_eq!(final_balance(&watch, actor), 120);
    }

    #[test]
    fn concurrent_deposits_are_served_one_at_a_time() {
        let watch = Watch::start();
        let (account, actor) = spawn_account(0);
        let mut seen: Vec<u64> = thread::scope(|s| {
            let clients: Vec<_> = (0..8)
                .map(|_| {
                    let account = account.clone();
                    s.spawn(move || (0..50).map(|_| account.deposit(1)).collect::<Vec<_>>())
                })
                .collect();
            clients
                .into_iter()
                .flat_map(|client| client.join().unwrap())
                .collect()
        });
        // Each deposit saw a different balance: no two were ever handled at once.
        seen.sort_unstable();
        assert!(
            seen.iter().copied().eq(1..=400),
            "each deposit returns a distinct balance"
        );
        drop(account);
        assert_eq!(final_balance(&watch, actor), 400);
    }

    #[test]
    fn concurrent_withdrawals_never_overdraw() {
        let watch = Watch::start();
        let (account, actor) = spawn_account(50);
        let meeting = Rendezvous::new(10, "the clients did not run at the same time");
        let answers: Vec<Result<u64, Insufficient>> = thread::scope(|s| {
            let clients: Vec<_> = (0..10)
                .map(|_| {
                    let (account, meeting) = (account.clone(), &meeting);
                    s.spawn(move || {
                        meeting.arrive();
                        account.withdraw(10)
                    })
                })
                .collect();
            clients.into_iter().map(|c| c.join().unwrap()).collect()
        });
        let mut granted: Vec<u64> = answers.iter().filter_map(|a| a.ok()).collect();
        granted.sort_unstable();
        assert_eq!(
            granted,
            vec![0, 10, 20, 30, 40],
            "exactly five withdrawals fit in 50"
        );
        assert!(
            answers.iter().filter(|a| a.is_err()).all(|a| *a
                == Err(Insufficient {
                    balance: 0,
                    requested: 10
                })),
            "the others are refused on an empty account: {answers:?}"
        );
        drop(account);
        assert_eq!(final_balance(&watch, actor), 0);
    }

    #[test]
    fn the_actor_stops_when_the_last_handle_is_dropped() {
        let watch = Watch::start();
        let (account, actor) = spawn_account(7);
        let other = account.clone();
        drop(account);
        // One handle is still alive, so the actor must still be serving.
        assert_eq!(other.deposit(3), 10);
        assert!(
            !actor.is_finished(),
            "the actor ended while a handle was alive"
        );
        drop(other);
        assert_eq!(final_balance(&watch, actor), 10);
    }
}
