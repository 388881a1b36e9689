#include "rules/rule_names.hpp"

namespace postern::rules {

std::string_view level_name(Level l) {
    switch (l) {
    case Level::Informational: return "informational";
    case Level::Low: return "low";
    case Level::Medium: return "medium";
    case Level::High: return "high";
    case Level::Critical: return "critical";
    }
    return "unknown";
}

std::string_view status_name(Status s) {
    switch (s) {
    case Status::Stable: return "stable";
    case Status::Test: return "test";
    case Status::Experimental: return "experimental";
    }
    return "unknown";
}

std::string_view action_name(Action a) {
    switch (a) {
    case Action::Alert: return "alert";
    case Action::Drop: return "drop";
    case Action::Pass: return "pass";
    case Action::Reject: return "reject";
    }
    return "unknown";
}

std::string_view track_name(TrackBy t) {
    switch (t) {
    case TrackBy::Source: return "by_src";
    case TrackBy::Destination: return "by_dst";
    case TrackBy::User: return "by_user";
    }
    return "unknown";
}

}  // namespace postern::rules
