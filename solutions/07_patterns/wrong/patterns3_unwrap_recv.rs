// WRONG: the actor loops on `inbox.recv().unwrap()`: it panics when the last handle is dropped
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
    // Ends when every handle is gone: a closed channel is the actor's normal way out.
    loop {
        let request = inbox.recv().unwrap();
        // A client that gave up waiting dropped its reply Receiver; ignore that.
        match request {
            Request::Deposit { amount, reply } => {
                balance += amount;
                let _ = reply.send(balance);
            }
            Request::Withdraw { amount, reply } => {
                // Check and update in the same step: no other request can come between.
                let answer = if amount <= balance {
                    balance -= amount;
                    Ok(balance)
                } else {
                    Err(Insufficient {
                        balance,
                        requested: amount,
                    })
                };
                let _ = reply.send(answer);
            }
            Request::Balance { reply } => {
                let _ = reply.send(balance);
            }
        }
    }
}

impl Account {
    /// Adds `amount`; returns the new balance.
    pub fn deposit(&self, amount: u64) -> u64 {
        self.ask(|reply| Request::Deposit { amount, reply })
    }

    /// Takes `amount` out if the balance allows it; returns the new balance.
    pub fn withdraw(&self, amount: u64) -> Result<u64, Insufficient> {
        self.ask(|reply| Request::Withdraw { amount, reply })
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
