// Fuzzes the tokens file reader: whatever the file holds, load() returns tokens that passed validation
// or an error, and never crashes or reads past its 1 MiB bound.

#include <QFile>
#include <QTemporaryDir>

#include <cstdint>
#include <cstdlib>

#include "auth/tokenfile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("f.db.tokens.json"));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return 0;
    f.write(reinterpret_cast<const char *>(data), qint64(size));
    f.close();
    QString error;
    const auto tokens = fg::TokenFile(path).load(&error);
    if (tokens) {
        for (const fg::ApiToken &t : *tokens)
            if (t.sha256.size() != 32 || t.id <= 0 || !fg::TokenFile::checkName(t.name).isEmpty() || !t.scopes)
                std::abort(); // an invalid token got through validation
    } else if (error.isEmpty()) {
        std::abort(); // a refusal must say why
    }
    return 0;
}
