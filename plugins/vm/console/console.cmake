# The VM consoles (plugins/vm/console): serial console log and download, the /_shell serial
# console, the noVNC display proxy. Included from plugins/vm/CMakeLists.txt after mw_plugin_vm.
# The pure parts (paths, query strings, tokens) form a small library the unit tests link alone.
add_library(mw_vm_console_protocol STATIC
  ${CMAKE_CURRENT_LIST_DIR}/access_tokens.cpp
  ${CMAKE_CURRENT_LIST_DIR}/console_protocol.cpp)
target_include_directories(mw_vm_console_protocol PUBLIC ${CMAKE_CURRENT_LIST_DIR}/..)
target_link_libraries(mw_vm_console_protocol PUBLIC mw_plugin_api mw_options PRIVATE mw_util_url)

target_sources(mw_plugin_vm PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/console_files.cpp
  ${CMAKE_CURRENT_LIST_DIR}/console_service.cpp
  ${CMAKE_CURRENT_LIST_DIR}/methods_console.cpp
  ${CMAKE_CURRENT_LIST_DIR}/shell_session.cpp
  ${CMAKE_CURRENT_LIST_DIR}/socket_bridge.cpp)
target_link_libraries(mw_plugin_vm PRIVATE mw_vm_console_protocol)
