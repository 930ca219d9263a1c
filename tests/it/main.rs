//! The one integration-test binary. Behaviour suites run against SQLite and
//! PostgreSQL alike (`both_backends!`); process-level tests drive the real
//! `musubi` binary.

mod support;

mod accounts;
mod alerts;
mod alerts_web;
mod authz;
mod awards;
mod bench_bids;
mod bid_group_commit;
mod bid_intake;
mod bid_rounds;
mod bid_rounds_web;
mod bid_secrecy;
mod bid_store;
mod bids;
mod bids_web;
mod browser;
mod cli;
mod coordination;
mod coordination_web;
mod crash;
mod jobs;
mod mail;
mod matching;
mod matching_quality;
mod openapi;
mod portal;
mod recommendations_web;
mod schema;
mod search_index;
mod search_web;
mod storage;
mod tender_actions;
mod tender_lifecycle;
mod tender_store;
mod tenders_web;
mod transparency_api;
mod transparency_audit;
mod transparency_store;
mod web;
