# Every dependency is a Debian 12 package (scripts/setup.sh installs them); nothing is downloaded.
find_package(PkgConfig REQUIRED)
pkg_check_modules(SERD REQUIRED IMPORTED_TARGET serd-0)
pkg_check_modules(SORD REQUIRED IMPORTED_TARGET sord-0)
pkg_check_modules(RAPTOR2 REQUIRED IMPORTED_TARGET raptor2)
find_package(Threads REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(OpenSSL REQUIRED)
# Boost.Beast/Asio (headers of libboost1.74-dev): the HTTP transport of every server and client.
find_package(Boost 1.74 REQUIRED)
if(GRIDKE_BUILD_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()
find_package(benchmark QUIET)
# jemalloc (libjemalloc-dev) is the allocator of the gridke command: after a backlog it returns
# the pages the backlog took (decay), where glibc's heap stays near its high-water mark
# (docs/performance.md, "Memory under load"). Not with the sanitizers: they bring their own.
if(GRIDKE_JEMALLOC AND NOT GRIDKE_SANITIZE AND NOT GRIDKE_TSAN)
  pkg_check_modules(JEMALLOC QUIET IMPORTED_TARGET jemalloc)
  if(NOT JEMALLOC_FOUND)
    message(WARNING "jemalloc not found (apt-get install libjemalloc-dev): the gridke command "
                    "uses glibc malloc, whose RSS stays up after a backlog")
  endif()
endif()

# Tests and benchmarks that compare against numpy/scipy or speak HTTP from Python use Debian's
# interpreter, which has python3-requests/-numpy/-scipy (a pyenv or venv python on PATH may not).
if(EXISTS /usr/bin/python3 AND NOT DEFINED Python3_EXECUTABLE)
  set(Python3_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "Python with Debian's python3-* packages")
endif()
find_package(Python3 COMPONENTS Interpreter)
set(GRIDKE_PYTHON "${Python3_EXECUTABLE}")
