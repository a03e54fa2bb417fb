# mwcore: the daemon core (server, rpc, jobs, events, app wiring). Its headers stay private to the
# daemon and the core's own tests; plugins see only include/middlewared/.
add_library(mwcore STATIC
  src/rpc/request.cpp
  src/rpc/response.cpp
  src/rpc/method_table.cpp
  src/rpc/dispatcher.cpp
  src/server/connection.cpp
  src/server/server.cpp
  src/events/event_hub.cpp
  src/jobs/job_record.cpp
  src/jobs/job_manager.cpp
  src/util/uuid.cpp
  src/app/ini_config.cpp
  src/app/plugin_host.cpp
  src/app/schemas.cpp)
target_include_directories(mwcore PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/src)
target_link_libraries(mwcore PUBLIC mw_plugin_api mw_schema mw_store spdlog::spdlog OpenSSL::Crypto Threads::Threads)
