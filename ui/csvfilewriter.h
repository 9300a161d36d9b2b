#pragma once

#include <QObject>

#include <memory>

class QSaveFile;

namespace fg {

// Writes a report to its file in chunks as they arrive, on a worker thread (the GUI thread never touches
// the file). The file appears only when committed: a cancelled or failed report leaves nothing behind
// (QSaveFile writes beside it and renames at the end). Lives on the export's worker thread.
class CsvFileWriter final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CsvFileWriter)

public:
    CsvFileWriter();
    ~CsvFileWriter() override;

public slots:
    void open(const QString &path);
    void append(const QByteArray &chunk);
    void commit();
    // Drops what was written; the target file is left as it was.
    void discard();

signals:
    void appended(qint64 bytes);
    void committed();
    void failed(const QString &message);

private:
    std::unique_ptr<QSaveFile> m_file;
};

} // namespace fg
