import type { Metadata } from 'next';
import { InstructorRoom } from '../../../../src/rooms/InstructorRoom';

export const metadata: Metadata = { title: 'bpfplay — teaching' };

type Props = { params: Promise<{ id: string }> };

/** The instructor's live view of a room (the key comes in the link's fragment). */
export default async function TeachPage({ params }: Props) {
  const { id } = await params;
  return <InstructorRoom key={id} roomId={id} />;
}
