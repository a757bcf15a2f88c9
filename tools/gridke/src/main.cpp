// gridke: the GridKE command line. `gridke --help` lists the verbs; each verb has --help.

#include <iostream>
#include <string>
#include <vector>

#include "command.hpp"

namespace {

void print_overview() {
  std::cout << "gridke — SAREF knowledge exchange for distribution system operators\n\n"
               "Usage: gridke VERB [OPTIONS]   (gridke VERB --help for details)\n\nVerbs:\n";
  for (const auto& [name, cmd] : gridke::cli::registry()) {
    std::cout << "  " << name << std::string(name.size() < 12 ? 12 - name.size() : 1, ' ')
              << cmd.summary << "\n";
  }
  std::cout << "\nExit codes: 0 ok, 1 findings, 2 usage error, 3 bad input, 4 not found,\n"
               "5 conflict/state, 6 unavailable or deadline, 7 numerical, 8 unimplemented,\n"
               "9 not authenticated or not allowed, 70 internal error.\n";
}

bool wants_help(const std::vector<std::string>& args) {
  for (const auto& a : args) {
    if (a == "--") break;
    if (a == "--help" || a == "-h") return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    if (args.size() >= 2 && args[0] == "help") {
      auto it = gridke::cli::registry().find(args[1]);
      if (it != gridke::cli::registry().end()) {
        std::cout << it->second.usage;
        return 0;
      }
    }
    print_overview();
    return args.empty() ? gridke::cli::exit_usage : 0;
  }
  if (args[0] == "--version") {
    std::cout << "gridke " << GRIDKE_VERSION << "\n";
    return 0;
  }
  auto it = gridke::cli::registry().find(args[0]);
  if (it == gridke::cli::registry().end()) {
    std::cerr << "gridke: unknown verb '" << args[0] << "'. Try 'gridke --help'.\n";
    return gridke::cli::exit_usage;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  const auto& subs = gridke::cli::subcommands();
  if (auto verb_subs = subs.find(args[0]); verb_subs != subs.end() && !rest.empty()) {
    if (auto sub = verb_subs->second.find(rest[0]); sub != verb_subs->second.end()) {
      std::vector<std::string> sub_args(rest.begin() + 1, rest.end());
      if (wants_help(sub_args)) {
        std::cout << sub->second.usage;
        return 0;
      }
      return sub->second.run(sub_args);
    }
  }
  if (wants_help(rest)) {
    std::cout << it->second.usage;
    if (auto verb_subs = subs.find(args[0]); verb_subs != subs.end()) {
      std::cout << "\nSub-verbs (gridke " << args[0] << " NAME --help for details):\n";
      for (const auto& [name, sub] : verb_subs->second) {
        std::cout << "  " << name << std::string(name.size() < 24 ? 24 - name.size() : 1, ' ')
                  << sub.summary << "\n";
      }
    }
    return 0;
  }
  return it->second.run(rest);
}
