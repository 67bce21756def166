//! The API's HTTP server: the node's `[api]` settings and metrics mapped onto [`publica_http`], which serves
//! HTTP/1.1 over TCP with every connection bounded in number and in time, so that anonymous clients can never
//! take the file descriptors the store and the consensus engine need.
//!
//! | bound | setting | what happens past it |
//! |---|---|---|
//! | connections open at once, all clients | `api.connections_max`, capped at the descriptor limit minus `api.fds_reserved` | closed as soon as accepted, counted `connections_max` |
//! | connections from one address (IPv6: one /64) | `api.connections_per_address_max` | closed as soon as accepted, counted `connections_per_address_max` |
//! | waiting for a request head (request line and headers), from the connection's opening or the end of the previous response | `api.header_read_timeout_ms` | connection closed, counted `header_read_timeout` |
//! | no byte moving either way (a client that stops reading its answer or sending its body) | `api.idle_timeout_ms` | connection closed, counted `idle_timeout` |
//! | from the request head to the response | `api.timeout_ms` (the router's layer) | `503 unavailable` |
//!
//! The counts are the `publica_api_connections_closed` metric, by reason, and `publica_api_connections` is the
//! number open. On shutdown the listener is closed first, connections finish the request they are handling and
//! are then closed; none is waited for longer than `api.idle_timeout_ms`.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use publica_http::{Bounds, Closed, ConnectionLimits, Observer, SettingNames};
use publica_node::config::ApiConfig;
use publica_node::NodeHandle;
use tokio::net::TcpListener;

/// The bounds of the `[api]` settings, named as `config.toml` names them.
pub fn bounds(config: &ApiConfig) -> Bounds {
    Bounds {
        connections_max: config.connections_max,
        per_address_max: config.connections_per_address_max,
        header_read_timeout: Duration::from_millis(config.header_read_timeout_ms),
        idle_timeout: Duration::from_millis(config.idle_timeout_ms),
        fds_reserved: config.fds_reserved,
        names: SettingNames {
            fds_reserved: "api.fds_reserved",
            per_address_max: "api.connections_per_address_max",
            reserved_for: "the store and consensus",
        },
    }
}

/// The limits of `config` in a process that may open `descriptors` files (`None`: no known limit).
///
/// Fails when the descriptors left after `api.fds_reserved` cannot hold even one address's connections: the
/// node would otherwise serve next to nothing, or take from the reserve.
pub fn connection_limits(config: &ApiConfig, descriptors: Option<u64>) -> io::Result<ConnectionLimits> {
    ConnectionLimits::new(&bounds(config), descriptors)
}

/// The node's connection metrics, kept by the server.
struct Metrics(NodeHandle);

impl Observer for Metrics {
    fn open(&self, open: usize) {
        self.0.metrics().api_connections.set(open as i64);
    }

    fn closed(&self, reason: Closed) {
        self.0.metrics().api_connection_closed(reason.as_str());
    }
}

/// Serve `router` on `listener` within `limits` until `shutdown` completes, counting connections in `node`'s
/// metrics.
pub(crate) async fn serve(
    router: Router,
    listener: TcpListener,
    limits: ConnectionLimits,
    node: NodeHandle,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    publica_http::serve(router, listener, limits, Arc::new(Metrics(node)), shutdown).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_leaves_the_reserved_descriptors_alone() {
        let config = ApiConfig::new("127.0.0.1:0".parse().unwrap());
        let limits = connection_limits(&config, Some(1500)).unwrap();
        assert_eq!(limits.connections_max, 1500 - 1024);
        assert_eq!(limits.per_address_max, config.connections_per_address_max);
        assert_eq!(limits.header_read_timeout, Duration::from_millis(config.header_read_timeout_ms));
        assert_eq!(limits.idle_timeout, Duration::from_millis(config.idle_timeout_ms));
        let limits = connection_limits(&config, Some(1 << 20)).unwrap();
        assert_eq!(limits.connections_max, config.connections_max);
        let limits = connection_limits(&config, None).unwrap();
        assert_eq!(limits.connections_max, config.connections_max);
        let message = connection_limits(&config, Some(1024)).unwrap_err().to_string();
        assert!(message.contains("ulimit -n") && message.contains("api.fds_reserved"), "{message}");
        assert!(message.contains("api.connections_per_address_max"), "{message}");
    }

    #[test]
    fn every_reason_a_connection_is_closed_keeps_its_metric_label() {
        let labels: Vec<&str> =
            [Closed::ConnectionsMax, Closed::ConnectionsPerAddressMax, Closed::HeaderReadTimeout, Closed::IdleTimeout]
                .iter()
                .map(|r| r.as_str())
                .collect();
        assert_eq!(labels, ["connections_max", "connections_per_address_max", "header_read_timeout", "idle_timeout"]);
    }
}
