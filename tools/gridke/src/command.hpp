#pragma once
// The `gridke` command's verbs. Each verb lives in its own cmd_<verb>.cpp and registers itself
// with GRIDKE_COMMAND; main.cpp dispatches, prints `gridke --help` and `gridke VERB --help`.
//
// Exit codes (README "Exit codes"): 0 success; 1 findings (e.g. `validate` found errors);
// 2 usage error; otherwise Error::exit_code() of the failure.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridke/base/result.hpp"

namespace gridke::cli {

inline constexpr int exit_ok = 0;
inline constexpr int exit_findings = 1;
inline constexpr int exit_usage = 2;

/// Parsed command-line arguments of one verb: `--name value`, `--name=value`, repeated
/// options, boolean flags and positionals. "--" ends the options.
class Args {
 public:
  /// `flags` lists the options that take no value (e.g. "help", "verbose").
  static Result<Args> parse(const std::vector<std::string>& argv,
                            const std::vector<std::string>& flags);

  bool has(std::string_view name) const;
  /// The last value given for an option.
  std::optional<std::string> get(std::string_view name) const;
  std::string get_or(std::string_view name, std::string fallback) const;
  /// All values of a repeatable option, in order.
  std::vector<std::string> get_all(std::string_view name) const;
  /// Integer option; errors name the option and the value.
  Result<std::optional<long long>> get_int(std::string_view name) const;
  const std::vector<std::string>& positionals() const { return positionals_; }
  /// Options given that are not in `known` (for "unknown option --x" errors).
  std::vector<std::string> unknown(const std::vector<std::string>& known) const;

 private:
  std::multimap<std::string, std::string, std::less<>> options_;
  std::vector<std::string> positionals_;
};

struct Command {
  std::string name;
  std::string summary;  ///< one line for `gridke --help`
  std::string usage;    ///< the full `gridke VERB --help` text
  std::function<int(const std::vector<std::string>& args)> run;
};

/// All registered verbs by name.
std::map<std::string, Command>& registry();

struct Registrar {
  explicit Registrar(Command c) { registry().emplace(c.name, std::move(c)); }
};

/// A sub-verb such as `gridke demo fault-location` or `gridke simulate lv-grid`, in its own
/// file (cmd_<verb>_<name>.cpp), registered with GRIDKE_SUBCOMMAND. main.cpp dispatches
/// `gridke VERB NAME …` to it (and `gridke VERB NAME --help` prints its usage); the verb's
/// own --help lists its sub-verbs.
struct Subcommand {
  std::string verb;
  std::string name;
  std::string summary;
  std::string usage;
  std::function<int(const std::vector<std::string>& args)> run;
};

/// Sub-verbs by verb, then name.
std::map<std::string, std::map<std::string, Subcommand>>& subcommands();

struct SubRegistrar {
  explicit SubRegistrar(Subcommand c) {
    auto& by_name = subcommands()[c.verb];
    by_name.emplace(c.name, std::move(c));
  }
};

/// Prints an error to stderr as "gridke VERB: message" and returns its exit code.
int fail(std::string_view verb, const Error& error);
/// Prints a usage error and returns exit_usage.
int usage_error(std::string_view verb, std::string_view message);

}  // namespace gridke::cli

#define GRIDKE_CLI_CONCAT_INNER_(a, b) a##b
#define GRIDKE_CLI_CONCAT_(a, b) GRIDKE_CLI_CONCAT_INNER_(a, b)
/// Registers a verb: GRIDKE_COMMAND({"demo", "one-line summary", "usage text", run_demo});
#define GRIDKE_COMMAND(...)                                 \
  static const ::gridke::cli::Registrar GRIDKE_CLI_CONCAT_( \
      gridke_command_, __LINE__)(::gridke::cli::Command __VA_ARGS__)
/// Registers a sub-verb: GRIDKE_SUBCOMMAND({"demo", "fault-location", "summary", "usage", fn});
#define GRIDKE_SUBCOMMAND(...)                                 \
  static const ::gridke::cli::SubRegistrar GRIDKE_CLI_CONCAT_( \
      gridke_subcommand_, __LINE__)(::gridke::cli::Subcommand __VA_ARGS__)
