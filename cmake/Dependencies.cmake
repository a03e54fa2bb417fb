# Every dependency comes from a Debian 12 package (scripts/install-deps.sh installs them).
find_package(Boost 1.81 REQUIRED COMPONENTS json url)  # libboost-json1.81-dev, libboost-url1.81-dev
find_package(Threads REQUIRED)
find_package(SQLiteCpp REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(OpenSSL REQUIRED)
# RE2 (libre2-dev): linear-time regular expressions for the query `~` operator and schema patterns.
find_package(PkgConfig REQUIRED)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
if(MW_TESTS)
  find_package(GTest REQUIRED)
endif()
