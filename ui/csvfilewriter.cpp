#include "csvfilewriter.h"

#include <QSaveFile>

namespace fg {

CsvFileWriter::CsvFileWriter() = default;
CsvFileWriter::~CsvFileWriter() = default;

void CsvFileWriter::open(const QString &path)
{
    m_file = std::make_unique<QSaveFile>(path);
    if (!m_file->open(QIODevice::WriteOnly)) {
        emit failed(tr("Cannot write %1: %2").arg(path, m_file->errorString()));
        m_file.reset();
    }
}

void CsvFileWriter::append(const QByteArray &chunk)
{
    if (!m_file)
        return; // opening failed and was reported
    if (m_file->write(chunk) != chunk.size()) {
        emit failed(tr("Cannot write %1: %2").arg(m_file->fileName(), m_file->errorString()));
        discard();
        return;
    }
    emit appended(chunk.size());
}

void CsvFileWriter::commit()
{
    if (!m_file)
        return;
    if (!m_file->commit())
        emit failed(tr("Cannot write %1: %2").arg(m_file->fileName(), m_file->errorString()));
    else
        emit committed();
    m_file.reset();
}

void CsvFileWriter::discard()
{
    if (m_file)
        m_file->cancelWriting();
    m_file.reset(); // without a commit the temporary file is removed
}

} // namespace fg
