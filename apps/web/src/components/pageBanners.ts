import type { BannerItem } from './Banners';
import type { ConnectionState } from '../state/socket/connectionState';
import type { UndoOffer, useSharing } from '../hooks/useSharing';
import type { useConnectionTarget } from '../hooks/useConnectionTarget';
import type { useSnippetLibrary } from '../hooks/useSnippetLibrary';

/** What the editor page has to say in the banner strip under its toolbar, most urgent first. */
export function pageBanners(p: {
  banner: { level: BannerItem['level']; text: string } | null;
  connection: ConnectionState;
  openSettings(): void;
  target: ReturnType<typeof useConnectionTarget>;
  sharing: ReturnType<typeof useSharing>;
  runError: string | null;
  setRunError(e: string | null): void;
  notice: string | null;
  dismissNotice(): void;
  library: ReturnType<typeof useSnippetLibrary>;
  undo: UndoOffer | null;
  revertUndo(u: UndoOffer): void;
  setUndo(u: UndoOffer | null): void;
}): BannerItem[] {
  const {
    banner,
    connection,
    openSettings,
    target,
    sharing,
    runError,
    setRunError,
    notice,
    dismissNotice,
    library,
    undo,
    revertUndo,
    setUndo,
  } = p;
  const sb = sharing.banner;
  return [
    ...(banner
      ? [
          {
            key: 'conn',
            level: banner.level,
            text: banner.text,
            testId: 'banner',
            actions: connection.kind === 'refused' ? [{ label: 'enter token', onClick: openSettings }] : [],
          },
        ]
      : []),
    ...(target.problem ? [{ key: 'target', level: 'warning' as const, text: target.problem }] : []),
    ...(target.pendingSwitch
      ? [
          {
            key: 'agent-switch',
            level: 'warning' as const,
            text: target.pendingSwitch.question,
            testId: 'agent-switch',
            actions: [
              { label: 'connect to it', onClick: target.confirmSwitch, testId: 'agent-switch-confirm' },
              { label: 'stay', onClick: target.declineSwitch, testId: 'agent-switch-cancel' },
            ],
          },
        ]
      : []),
    ...(sb
      ? [
          {
            key: 'share',
            level: sb.level,
            text: sb.text,
            testId: sb.testId,
            actions: [
              ...(sb.revert
                ? [{ label: 'open the shared version', onClick: sharing.revert, testId: 'share-revert' }]
                : []),
              { label: 'dismiss', onClick: sharing.dismissBanner },
            ],
          },
        ]
      : []),
    ...(runError
      ? [
          {
            key: 'run',
            level: 'error' as const,
            text: runError,
            testId: 'run-error',
            actions: [{ label: 'dismiss', onClick: () => setRunError(null) }],
          },
        ]
      : []),
    ...(notice
      ? [{ key: 'notice', level: 'info' as const, text: notice, actions: [{ label: 'ok', onClick: dismissNotice }] }]
      : []),
    ...(library.problem
      ? [
          {
            key: 'library',
            level: 'warning' as const,
            text: library.problem,
            testId: 'library-problem',
            actions: [{ label: 'ok', onClick: library.dismissProblem }],
          },
        ]
      : []),
    ...(undo
      ? [
          {
            key: 'undo',
            level: 'info' as const,
            text: `Loaded ${undo.loaded}; replaced ${undo.replaced}.`,
            testId: 'undo-banner',
            actions: [
              { label: 'undo', onClick: () => revertUndo(undo) },
              { label: 'ok', onClick: () => setUndo(null) },
            ],
          },
        ]
      : []),
  ];
}
