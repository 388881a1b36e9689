#include "alert_tally.hpp"

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace postern::control {

void AlertTally::add(std::string_view alert_record) {
    Row r;
    const auto j = nlohmann::json::parse(alert_record, nullptr, false);
    if (j.is_object() && j.contains("alert") && j["alert"].is_object()) {
        const auto &a = j["alert"];
        r.signature_id = a.value("signature_id", uint64_t{0});
        r.signature = a.value("signature", std::string());
        r.severity = a.value("severity", 0);
    }
    if (r.signature.empty()) r.signature = "(alert without a signature)";
    Row &row = rows_[{r.signature_id, r.signature}];
    if (row.count == 0) row = r;
    ++row.count;
}

std::vector<AlertTally::Row> AlertTally::rows() const {
    std::vector<Row> out;
    for (const auto &[key, row] : rows_) out.push_back(row);
    std::stable_sort(out.begin(), out.end(), [](const Row &a, const Row &b) {
        if (a.count != b.count) return a.count > b.count;
        const auto rank = [](int sev) { return sev > 0 ? sev : 1 << 30; };  // 0: unknown, last
        if (a.severity != b.severity) return rank(a.severity) < rank(b.severity);
        return a.signature_id < b.signature_id;
    });
    return out;
}

std::string format_alert_table(const std::vector<AlertTally::Row> &rows) {
    std::string out;
    char line[64];
    std::snprintf(line, sizeof line, "%8s  %3s  %s\n", "count", "sev", "[sid] signature");
    out += line;
    for (const auto &r : rows) {
        std::snprintf(line, sizeof line, "%8llu  %3d  [%llu] ", static_cast<unsigned long long>(r.count), r.severity,
                      static_cast<unsigned long long>(r.signature_id));
        out += line + r.signature + "\n";
    }
    return out;
}

}  // namespace postern::control
