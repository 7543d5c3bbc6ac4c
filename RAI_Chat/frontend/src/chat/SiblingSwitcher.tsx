import './branches.css';

interface SiblingSwitcherProps {
  /** This message and its other versions, in order. */
  siblingIds: string[];
  /** 1-based position of the version shown. */
  index: number;
  onSwitch: (messageId: string) => void;
  disabled?: boolean;
  /** "answer" or "message", for the buttons' names. */
  noun: string;
}

/** ‹ 2/3 ›: shows the previous or next version of a message (regenerated answers, edits). */
export function SiblingSwitcher({ siblingIds, index, onSwitch, disabled, noun }: SiblingSwitcherProps) {
  const count = siblingIds.length;
  if (count < 2 || index < 1) return null;
  const previous = index > 1 ? siblingIds[index - 2] : null;
  const next = index < count ? siblingIds[index] : null;
  return (
    <div className="sibling-switcher" role="group" aria-label={`Versions of this ${noun}`}>
      <button
        type="button"
        className="icon-button sibling-button"
        onClick={() => previous && onSwitch(previous)}
        disabled={disabled || !previous}
        aria-label={`Previous version of this ${noun}`}
      >
        <span aria-hidden="true">‹</span>
      </button>
      <span className="sibling-position">
        <span aria-hidden="true">
          {index}/{count}
        </span>
        <span className="visually-hidden">{`Version ${index} of ${count}`}</span>
      </span>
      <button
        type="button"
        className="icon-button sibling-button"
        onClick={() => next && onSwitch(next)}
        disabled={disabled || !next}
        aria-label={`Next version of this ${noun}`}
      >
        <span aria-hidden="true">›</span>
      </button>
    </div>
  );
}
