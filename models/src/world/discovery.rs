//! Which endpoints each caller sees, and load balancing over them.
//!
//! A readiness change is published to a service's endpoint list after the discovery delay
//! (EndpointSlice propagation, or a registry's watch lag). Watch-style callers see the new list
//! at once; DNS callers keep their cached copy until their TTL runs out, then re-resolve. A
//! caller with a stale copy keeps sending to endpoints that are gone or not ready.

use sim_core::sim::Scheduler;

use super::{Endpoint, Event, World};
use crate::config::{Discovery, LbPolicy};
use crate::ids::{PodIdx, SiteIdx};
use crate::log::LogKind;

impl World {
    /// Picks the endpoint for a new attempt from the site's view, or `None` if it knows none.
    pub(super) fn pick_endpoint(&mut self, site: u32) -> Option<Endpoint> {
        let edge = self.sites[site as usize].edge;
        let callee = self.cfg.edges[edge.idx()].callee;
        let lb = self.cfg.services[callee.idx()].lb;
        let pods = &self.pods;
        let s = &mut self.sites[site as usize];
        let n = s.view.len() as u64;
        if n == 0 {
            return None;
        }
        let i = match lb {
            LbPolicy::RoundRobin => {
                let i = u64::from(s.rr_next) % n;
                s.rr_next = s.rr_next.wrapping_add(1);
                i
            }
            LbPolicy::Random => s.rng.below(n),
            LbPolicy::LeastRequest => {
                let a = s.rng.below(n);
                let b = s.rng.below(n);
                let load = |i: u64| s.in_flight_to[pods[s.view[i as usize].pod.idx()].replica as usize];
                if load(b) < load(a) { b } else { a }
            }
        };
        Some(s.view[i as usize])
    }

    /// A readiness change reaches the service's published endpoints.
    pub(super) fn on_endpoint_change(
        &mut self,
        p: PodIdx,
        address: u32,
        ready: bool,
        sched: &mut Scheduler<Event>,
    ) {
        let (pod_idx, p) = (p, p.0);
        let now = sched.now();
        let service = self.pods[p as usize].service;
        let endpoint = Endpoint {
            pod: pod_idx,
            address,
        };
        let published = &mut self.services[service.idx()].published;
        let present = published.iter().position(|e| *e == endpoint);
        match (ready, present) {
            (true, None) => {
                published.push(endpoint);
                published.sort_unstable();
            }
            (false, Some(i)) => {
                published.remove(i);
            }
            _ => return,
        }
        let endpoints = published.len() as u32;
        self.log_with(now, |w| LogKind::EndpointsUpdated {
            service: w.cfg.services[service.idx()].name.clone(),
            pod: w.pod_name(pod_idx),
            ready,
            endpoints,
        });
        if matches!(self.cfg.services[service.idx()].discovery, Discovery::Dns { .. }) {
            return; // DNS callers see it when their cache expires
        }
        let published = &self.services[service.idx()].published;
        for site in &mut self.sites {
            if self.cfg.edges[site.edge.idx()].callee == service {
                site.view.clone_from(published);
            }
        }
    }

    /// A DNS caller's cache expired: it re-resolves and caches the answer for another TTL.
    pub(super) fn on_dns_refresh(&mut self, site: SiteIdx, sched: &mut Scheduler<Event>) {
        let site = site.0;
        let edge = self.sites[site as usize].edge;
        let callee = self.cfg.edges[edge.idx()].callee;
        let Discovery::Dns { ttl, .. } = self.cfg.services[callee.idx()].discovery else {
            return;
        };
        let published = &self.services[callee.idx()].published;
        self.sites[site as usize].view.clone_from(published);
        sched.schedule_in(ttl, Event::DnsRefresh { site: SiteIdx(site) });
    }
}
