//! The REST API: axum router, JSON errors with stable codes, OpenAPI 3.1, Prometheus metrics.
