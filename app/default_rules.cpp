#include "default_rules.hpp"

#include <filesystem>
#include <system_error>
#include <vector>

namespace postern::app {

std::optional<std::string> find_default_rules() {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    std::vector<fs::path> candidates;
    if (!ec) {
        const fs::path dir = exe.parent_path();
        candidates.push_back(dir / ".." / ".." / "config" / "rules");  // build/app/postern in the tree
        candidates.push_back(dir / ".." / "share" / "postern" / "rules");  // <prefix>/bin/postern installed
    }
    candidates.emplace_back("/etc/postern/rules");
    for (const fs::path &p : candidates)
        if (fs::is_directory(p, ec)) return fs::weakly_canonical(p, ec).string();
    return std::nullopt;
}

}  // namespace postern::app
