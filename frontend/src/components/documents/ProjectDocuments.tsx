// A project's documents (design documents, monitoring and verification reports): the list,
// and for the project's developer or an admin, upload + attach.
import { useRef } from 'react';
import { useAppSelector } from '../../store/hooks';
import { hasRole } from '../../store/authSlice';
import { useAttachProjectDocumentMutation } from '../../services/documents.api';
import { DocumentList } from './DocumentList';
import { DocumentUpload } from './DocumentUpload';

interface ProjectLike { id: number; developer: number; name: string; documents?: string[]; batches?: { id: number; vintage: number; metadata_cid?: string }[] }

export function ProjectDocuments({ project }: { project: ProjectLike }) {
  const user = useAppSelector((s) => s.auth.user);
  const [attach] = useAttachProjectDocumentMutation();
  const canAdd = !!user && (user.id === project.developer || hasRole(user, 'admin'));
  return (
    <section aria-labelledby="h-docs">
      <h2 id="h-docs">Documents</h2>
      <DocumentList cids={project.documents ?? []} label={`Documents of ${project.name}`} />
      {canAdd ? (
        <DocumentUpload label="Add a document" allowPrivate onUploaded={async (d) => { await attach({ project: project.id, cid: d.cid }).unwrap(); }} />
      ) : null}
      {project.batches?.some((b) => b.metadata_cid) ? (
        <>
          <h3>Token metadata (ERC-1155)</h3>
          <ul className="doc-list" aria-label={`Token metadata of ${project.name}`}>
            {project.batches.filter((b) => b.metadata_cid).map((b) => (
              <li key={b.id}>Batch {b.id} ({b.vintage}): <a href={`/api/v1/batches/${b.id}/metadata`}>metadata</a> · <code title={b.metadata_cid}>ipfs://{b.metadata_cid!.slice(0, 16)}…</code></li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

/** A verification report reference on an issuance: the document when it is a stored CID. */
export function ReportDocument({ report }: { report: string }) {
  return <DocumentList cids={report ? [report] : []} empty="No report." label="Verification report" />;
}

/** Inside the issuance request form: uploads the verification report and puts its CID into the form's `report` field. */
export function ReportUpload() {
  const ref = useRef<HTMLDivElement>(null);
  return (
    <div ref={ref}>
      <DocumentUpload label="Upload the verification report" onUploaded={(d) => {
        const input = ref.current?.closest('form')?.elements.namedItem('report');
        if (input instanceof HTMLInputElement) input.value = d.cid;
      }} />
    </div>
  );
}
