# mw_wire: what a client may send before it logs in, parsed and matched without I/O: JSON-RPC and
# legacy frames, the answers to them, HTTP targets and route matching. Apart from mwcore so that
# the fuzz targets (tests/fuzz/rpc, tests/fuzz/http) build only this.
add_library(mw_wire STATIC
  src/rpc/request.cpp
  src/rpc/response.cpp
  src/rpc/wire_protocol.cpp
  src/rpc/json_rpc_protocol.cpp
  src/rpc/legacy_protocol.cpp
  src/server/plugin_request.cpp
  src/server/route_registry.cpp
  src/app/ui_route.cpp)
target_include_directories(mw_wire PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/src)
target_link_libraries(mw_wire PUBLIC mw_api Boost::headers PRIVATE mw_util_url)

# The core's packages, one static library each, so that CMake itself holds the direction of their
# dependencies (a library links only those below it; none links back):
#   mw_server -> mw_rpc -> mw_jobs -> mw_events -> mw_session
# mw_session: a client connection's session (credentials, options, subscriptions, call slots),
# which the server, the dispatcher and the event hub share without knowing one another.
add_library(mw_session STATIC
  src/session/client_session.cpp
  src/session/peer_address.cpp)
target_include_directories(mw_session PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/src)
target_link_libraries(mw_session PUBLIC mw_api Boost::headers)

# mw_events: event sources and delivery; also the registry of live sessions.
add_library(mw_events STATIC src/events/event_hub.cpp)
target_link_libraries(mw_events PUBLIC mw_session mw_wire)

# mw_jobs: jobs, their locks and pool, and the download pipes jobs write.
add_library(mw_jobs STATIC
  src/jobs/job_record.cpp
  src/jobs/job_manager.cpp
  src/downloads/download_pipe.cpp
  src/downloads/downloads.cpp)
target_link_libraries(mw_jobs PUBLIC mw_events mw_wire mw_plugin_api)

# mw_rpc: the method table and the dispatcher (the path of one call).
add_library(mw_rpc STATIC
  src/rpc/method_table.cpp
  src/rpc/dispatcher.cpp
  src/rpc/rate_limiter.cpp
  src/audit/audit_policy.cpp)
target_link_libraries(mw_rpc PUBLIC mw_jobs mw_session mw_schema spdlog::spdlog)

# mw_server: listeners, HTTP and WebSocket sessions, the I/O threads.
add_library(mw_server STATIC
  src/server/server.cpp
  src/server/io_threads.cpp
  src/server/tcp_peer.cpp
  src/server/tls_listener.cpp
  src/server/peer_counter.cpp
  src/server/server_options.cpp
  src/server/frame_gate.cpp
  src/server/extension_routes.cpp
  src/server/upload_pipe.cpp
  src/server/multipart.cpp
  src/server/idle_watch.cpp
  src/server/accept_backoff.cpp
  src/server/origin_policy.cpp)
target_link_libraries(mw_server PUBLIC mw_rpc mw_events mw_session mw_wire OpenSSL::SSL OpenSSL::Crypto spdlog::spdlog)

# mwcore: the daemon core (the packages above and the app wiring). Its headers stay private to the
# daemon and the core's own tests; plugins see only include/middlewared/.
add_library(mwcore STATIC
  src/app/ini_config.cpp
  src/app/plugin_host.cpp
  src/app/upload_start.cpp
  src/app/schemas.cpp
  src/app/ops_routes.cpp
  src/app/operations.cpp
  src/app/log_settings.cpp
  src/app/api_docs.cpp
  src/metrics/histogram.cpp
  src/metrics/exposition.cpp
  src/metrics/call_metrics.cpp
  src/metrics/plugin_sources.cpp
  src/metrics/scrape_cache.cpp
  src/metrics/health.cpp
  src/metrics/process_metrics.cpp
  src/audit/audit_log.cpp
  src/audit/audit_methods.cpp)
target_include_directories(mwcore PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/src)
target_link_libraries(mwcore PUBLIC mw_server mw_rpc mw_jobs mw_events mw_session mw_wire mw_plugin_api mw_schema mw_store
                             spdlog::spdlog OpenSSL::SSL OpenSSL::Crypto Threads::Threads
                             PRIVATE SQLiteCpp)  # the audit log's statements
