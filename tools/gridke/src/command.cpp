#include "command.hpp"

#include <charconv>
#include <iostream>

namespace gridke::cli {

std::map<std::string, std::map<std::string, Subcommand>>& subcommands() {
  static std::map<std::string, std::map<std::string, Subcommand>> all;
  return all;
}

Result<Args> Args::parse(const std::vector<std::string>& argv,
                         const std::vector<std::string>& flags) {
  Args args;
  bool options_done = false;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (options_done || a.size() < 2 || a[0] != '-' || a == "-") {
      args.positionals_.push_back(a);
      continue;
    }
    if (a == "--") {
      options_done = true;
      continue;
    }
    std::string name = a.substr(a[1] == '-' ? 2 : 1);
    if (name == "h") name = "help";
    std::string value;
    bool has_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    bool is_flag = false;
    for (const auto& f : flags) is_flag = is_flag || f == name;
    if (is_flag) {
      if (has_value) return invalid_argument("option --" + name + " takes no value");
      args.options_.emplace(name, "true");
      continue;
    }
    if (!has_value) {
      if (i + 1 >= argv.size()) return invalid_argument("option --" + name + " needs a value");
      value = argv[++i];
    }
    args.options_.emplace(name, value);
  }
  return args;
}

bool Args::has(std::string_view name) const { return options_.find(name) != options_.end(); }

std::optional<std::string> Args::get(std::string_view name) const {
  auto [lo, hi] = options_.equal_range(name);
  if (lo == hi) return std::nullopt;
  return std::prev(hi)->second;
}

std::string Args::get_or(std::string_view name, std::string fallback) const {
  auto v = get(name);
  return v ? *v : std::move(fallback);
}

std::vector<std::string> Args::get_all(std::string_view name) const {
  std::vector<std::string> out;
  auto [lo, hi] = options_.equal_range(name);
  for (auto it = lo; it != hi; ++it) out.push_back(it->second);
  return out;
}

Result<std::optional<long long>> Args::get_int(std::string_view name) const {
  auto v = get(name);
  if (!v) return std::optional<long long>{};
  long long n = 0;
  auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || ptr != v->data() + v->size()) {
    return invalid_argument("option --" + std::string(name) + " expects an integer, got '" + *v +
                            "'");
  }
  return std::optional<long long>{n};
}

std::vector<std::string> Args::unknown(const std::vector<std::string>& known) const {
  std::vector<std::string> out;
  for (const auto& [name, value] : options_) {
    bool found = name == "help";
    for (const auto& k : known) found = found || k == name;
    if (!found) out.push_back(name);
  }
  return out;
}

std::map<std::string, Command>& registry() {
  static std::map<std::string, Command> commands;
  return commands;
}

int fail(std::string_view verb, const Error& error) {
  std::cerr << "gridke " << verb << ": " << error.to_string() << "\n";
  return error.exit_code();
}

int usage_error(std::string_view verb, std::string_view message) {
  std::cerr << "gridke " << verb << ": " << message << "\n"
            << "Try 'gridke " << verb << " --help'.\n";
  return exit_usage;
}

}  // namespace gridke::cli
