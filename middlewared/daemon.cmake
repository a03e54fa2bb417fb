# The middlewared executable: core + every plugin that exists in this build + embedded schemas.
# Included from the top level after plugins/, so the plugin targets are known here.
file(GLOB_RECURSE MW_SCHEMA_FILES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/schemas/*.json)
mw_embed_files(TARGET mw_schemas NAMESPACE mw::schemas BASE ${PROJECT_SOURCE_DIR}/schemas FILES ${MW_SCHEMA_FILES})

add_library(mw_plugins STATIC ${PROJECT_SOURCE_DIR}/plugins/register_all.cpp)
target_include_directories(mw_plugins PUBLIC ${PROJECT_SOURCE_DIR}/plugins)
target_link_libraries(mw_plugins PUBLIC mw_plugin_core)
if(TARGET mw_plugin_auth)
  target_link_libraries(mw_plugins PUBLIC mw_plugin_auth)
  target_compile_definitions(mw_plugins PRIVATE MW_WITH_AUTH_PLUGIN)
endif()
if(TARGET mw_plugin_vm)
  target_link_libraries(mw_plugins PUBLIC mw_plugin_vm)
  target_compile_definitions(mw_plugins PRIVATE MW_WITH_VM_PLUGIN)
endif()
if(TARGET mw_plugin_test)
  target_link_libraries(mw_plugins PUBLIC mw_plugin_test)
  target_compile_definitions(mw_plugins PRIVATE MW_WITH_TEST_PLUGIN)
endif()

add_executable(middlewared ${CMAKE_CURRENT_LIST_DIR}/src/app/main.cpp)
target_compile_definitions(middlewared PRIVATE MW_VERSION="${PROJECT_VERSION}")
target_link_libraries(middlewared PRIVATE mwcore mw_plugins mw_schemas CLI11::CLI11)
