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
  const sb = p.sharing.banner;
  const undo = p.undo;
  return [
    ...(p.banner
      ? [
          {
            key: 'conn',
            level: p.banner.level,
            text: p.banner.text,
            testId: 'banner',
            actions: p.connection.kind === 'refused' ? [{ label: 'enter token', onClick: p.openSettings }] : [],
          },
        ]
      : []),
    ...(p.target.problem ? [{ key: 'target', level: 'warning' as const, text: p.target.problem }] : []),
    ...(p.target.pendingSwitch
      ? [
          {
            key: 'agent-switch',
            level: 'warning' as const,
            text: p.target.pendingSwitch.question,
            testId: 'agent-switch',
            actions: [
              { label: 'connect to it', onClick: p.target.confirmSwitch, testId: 'agent-switch-confirm' },
              { label: 'stay', onClick: p.target.declineSwitch, testId: 'agent-switch-cancel' },
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
                ? [{ label: 'open the shared version', onClick: p.sharing.revert, testId: 'share-revert' }]
                : []),
              { label: 'dismiss', onClick: p.sharing.dismissBanner },
            ],
          },
        ]
      : []),
    ...(p.runError
      ? [
          {
            key: 'run',
            level: 'error' as const,
            text: p.runError,
            testId: 'run-error',
            actions: [{ label: 'dismiss', onClick: () => p.setRunError(null) }],
          },
        ]
      : []),
    ...(p.notice
      ? [
          {
            key: 'notice',
            level: 'info' as const,
            text: p.notice,
            actions: [{ label: 'ok', onClick: p.dismissNotice }],
          },
        ]
      : []),
    ...(p.library.problem
      ? [
          {
            key: 'library',
            level: 'warning' as const,
            text: p.library.problem,
            testId: 'library-problem',
            actions: [{ label: 'ok', onClick: p.library.dismissProblem }],
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
              { label: 'undo', onClick: () => p.revertUndo(undo) },
              { label: 'ok', onClick: () => p.setUndo(null) },
            ],
          },
        ]
      : []),
  ];
}
